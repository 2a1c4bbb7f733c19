/**
 * The cached rows of a masked forward, below both the forward and the backends: what a block does
 * with its unmasked rows ({@link io.instgenie.kernels.cached.BlockMode}), what a cache holds
 * ({@link io.instgenie.kernels.cached.CacheKind}), where the rows come from and go ({@link
 * io.instgenie.kernels.cached.BlockSource}, {@link io.instgenie.kernels.cached.BlockSink}), and the
 * backend capability that stages them on a device ({@link
 * io.instgenie.kernels.cached.CachedRowStaging}). A leaf: {@code kernels.dit}, {@code
 * kernels.backend} and {@code kernels.cuda} all depend on it, it on none of them.
 */
package io.instgenie.kernels.cached;
