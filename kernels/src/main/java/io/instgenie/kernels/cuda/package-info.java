/**
 * The GPU path on JCuda's driver API: probe, one context per device on its own thread, our own PTX
 * kernels (kernels/src/main/cuda, no cuBLAS), device mirrors of host buffers, and the pinned-memory
 * block cache of the bubble-free pipeline. Nothing here is touched unless {@link
 * io.instgenie.kernels.cuda.CudaProbe} found a device.
 */
package io.instgenie.kernels.cuda;
