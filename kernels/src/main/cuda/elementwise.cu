// Row-wise and element-wise kernels of the DiT block. Pointers arrive at the element the host
// addressed (offsets applied on the host); every kernel is FP32 in, FP32 out.
#include <cuda_runtime.h>

// y[r] = LN(x[r])⊙(1 + scale) + shift, LayerNorm without affine over h values (eps given).
// One block of 256 threads per row; two passes (mean, then centred variance) as the reference.
extern "C" __global__ void __launch_bounds__(256) layernorm_modulate(
    float* __restrict__ y, const float* __restrict__ x, int rows, int h,
    const float* __restrict__ shift, const float* __restrict__ scale, float eps) {
  __shared__ float part[32];
  __shared__ float stat;
  const int r = blockIdx.x;
  if (r >= rows) return;
  const float* xr = x + (long)r * h;
  float* yr = y + (long)r * h;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  float s = 0.f;
  for (int j = threadIdx.x; j < h; j += blockDim.x) s += xr[j];
  for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
  if (lane == 0) part[warp] = s;
  __syncthreads();
  if (threadIdx.x == 0) {
    float t = 0.f;
    for (int i = 0; i < warps; i++) t += part[i];
    stat = t / h;
  }
  __syncthreads();
  const float mean = stat;
  float v = 0.f;
  for (int j = threadIdx.x; j < h; j += blockDim.x) {
    float dv = xr[j] - mean;
    v = fmaf(dv, dv, v);
  }
  for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  __syncthreads();
  if (lane == 0) part[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    float t = 0.f;
    for (int i = 0; i < warps; i++) t += part[i];
    stat = rsqrtf(t / h + eps);
  }
  __syncthreads();
  const float inv = stat;
  for (int j = threadIdx.x; j < h; j += blockDim.x) {
    yr[j] = fmaf((xr[j] - mean) * inv, 1.f + scale[j], shift[j]);
  }
}

// x[i] = 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), in place.
extern "C" __global__ void gelu_tanh(float* x, long n) {
  const float c = 0.7978845608028654f;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    float v = x[i];
    x[i] = 0.5f * v * (1.f + tanhf(c * fmaf(0.044715f * v, v * v, v)));
  }
}

// y[i] = x[i]·sigmoid(x[i]); y may alias x.
extern "C" __global__ void silu(float* y, const float* x, long n) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    float v = x[i];
    y[i] = v / (1.f + expf(-v));
  }
}

// x[r, j] += gate[j]·y[r, j] for r < rows, j < h; x and y have row stride h.
extern "C" __global__ void gated_add(
    float* __restrict__ x, const float* __restrict__ y, const float* __restrict__ gate, int rows,
    int h) {
  const long n = (long)rows * h;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    x[i] = fmaf(gate[i % h], y[i], x[i]);
  }
}

// dst[r] = src[index[r]] for r < rows, rows of h floats (the cached rows of a block into X).
extern "C" __global__ void gather_rows(
    float* __restrict__ dst, const float* __restrict__ src, const int* __restrict__ index,
    int rows, int h) {
  const long n = (long)rows * h;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    const long r = i / h;
    dst[i] = src[(long)index[r] * h + (i - r * h)];
  }
}

// dst[index[r]] = src[r] for r < rows (a template run's rows back into token order).
extern "C" __global__ void scatter_rows(
    float* __restrict__ dst, const float* __restrict__ src, const int* __restrict__ index,
    int rows, int h) {
  const long n = (long)rows * h;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    const long r = i / h;
    dst[(long)index[r] * h + (i - r * h)] = src[i];
  }
}

// x[r] = tokenBias[token[r]] for r < rows: the constant part of a patch embedding,
// x_embedder.bias + pe(i, j) precomputed per token ([L, H]); the GEMM then adds W·patch.
extern "C" __global__ void embed_position(
    float* __restrict__ x, const float* __restrict__ tokenBias, const int* __restrict__ token,
    int rows, int h) {
  const long n = (long)rows * h;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n;
       i += (long)gridDim.x * blockDim.x) {
    const long r = i / h;
    x[i] = tokenBias[(long)token[r] * h + (i - r * h)];
  }
}
