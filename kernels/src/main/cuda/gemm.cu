// Linear layers y = x·Wᵀ + b (W [n, k] row-major, the layout of the model's weights), FP32 in
// and out. Two kernels, one signature:
//   linear_f32   plain tiled FP32 FMA (every architecture; the parity reference on the device)
//   linear_bf16  tensor cores (wmma 16x16x16, BF16 inputs rounded while staging to shared
//                memory, FP32 accumulation), sm_80 and newer; compute_75 PTX compiles it to
//                the FP32 body, so the host may launch it anywhere.
//   linear_tf32  the same with TF32 inputs (wmma 16x16x8), sm_80 and newer.
// Edges: loads outside [m, n, k] read zeros and the epilogue stores only in-range elements, so
// every shape and leading dimension works; full tiles take the same path (no separate kernel).
// Offsets are applied by the host (pointers arrive at element 0 of each operand).
#include <cuda_runtime.h>
#if __CUDA_ARCH__ >= 800 || !defined(__CUDA_ARCH__)
#include <mma.h>
#include <cuda_bf16.h>
#endif

#define F32_TILE 64
#define F32_BK 16

// 16x16 threads, each computes a 4x4 patch of a 64x64 tile of y.
__device__ __forceinline__ void linear_f32_body(
    float* __restrict__ y, int ldy, const float* __restrict__ x, int ldx,
    const float* __restrict__ w, const float* __restrict__ bias, int m, int n, int k,
    int accumulate) {
  __shared__ float xs[F32_BK][F32_TILE + 1];
  __shared__ float ws[F32_BK][F32_TILE + 1];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int row0 = blockIdx.y * F32_TILE, col0 = blockIdx.x * F32_TILE;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < k; k0 += F32_BK) {
    // 256 threads stage 64x16 of x and of w (4 elements each), k fastest for coalescing
    for (int e = threadIdx.x; e < F32_TILE * F32_BK; e += 256) {
      int r = e / F32_BK, c = e % F32_BK;
      int gk = k0 + c;
      int gr = row0 + r, gc = col0 + r;
      xs[c][r] = (gr < m && gk < k) ? x[(long)gr * ldx + gk] : 0.f;
      ws[c][r] = (gc < n && gk < k) ? w[(long)gc * k + gk] : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int c = 0; c < F32_BK; c++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = xs[c][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = ws[c][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    int r = row0 + ty + 16 * i;
    if (r >= m) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      int c = col0 + tx + 16 * j;
      if (c >= n) continue;
      float v = acc[i][j] + (bias ? bias[c] : 0.f);
      float* at = y + (long)r * ldy + c;
      *at = accumulate ? *at + v : v;
    }
  }
}

extern "C" __global__ void __launch_bounds__(256) linear_f32(
    float* y, int ldy, const float* x, int ldx, const float* w, const float* bias, int m, int n,
    int k, int accumulate) {
  linear_f32_body(y, ldy, x, ldx, w, bias, m, n, k, accumulate);
}

#if __CUDA_ARCH__ >= 800 || !defined(__CUDA_ARCH__)
using namespace nvcuda;

// 64x64 tile of y per block of 8 warps (4 rows x 2 columns), each warp 16x32 = 1x2 fragments
// of 16x16: the same grid and 256 threads as linear_f32, so the host launches every variant alike.
#define TC_TILE 64
#define TC_BK 32
#define TC_PAD 8

template <typename T> struct TcTraits;
template <> struct TcTraits<__nv_bfloat16> {
  typedef __nv_bfloat16 elem;
  static const int K = 16;
  __device__ static elem cvt(float v) { return __float2bfloat16_rn(v); }
};
template <> struct TcTraits<wmma::precision::tf32> {
  typedef float elem;
  static const int K = 8;
  __device__ static elem cvt(float v) { return wmma::__float_to_tf32(v); }
};

template <typename P>
__device__ __forceinline__ void linear_tc_body(
    float* __restrict__ y, int ldy, const float* __restrict__ x, int ldx,
    const float* __restrict__ w, const float* __restrict__ bias, int m, int n, int k,
    int accumulate) {
  typedef typename TcTraits<P>::elem E;
  // staging of x and w tiles; reused for the 64x64 FP32 result in the epilogue
  __shared__ __align__(32) unsigned char smem[
      (2 * TC_TILE * (TC_BK + TC_PAD) * sizeof(E)) > (TC_TILE * (TC_TILE + 4) * sizeof(float))
          ? (2 * TC_TILE * (TC_BK + TC_PAD) * sizeof(E))
          : (TC_TILE * (TC_TILE + 4) * sizeof(float))];
  E* xs = reinterpret_cast<E*>(smem);
  E* ws = xs + TC_TILE * (TC_BK + TC_PAD);
  const int warp = threadIdx.x / 32;
  const int wr = (warp / 2) * 16, wc = (warp % 2) * 32;
  const int row0 = blockIdx.y * TC_TILE, col0 = blockIdx.x * TC_TILE;
  wmma::fragment<wmma::accumulator, 16, 16, TcTraits<P>::K, float> acc[2];
#pragma unroll
  for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[j], 0.f);
  for (int k0 = 0; k0 < k; k0 += TC_BK) {
    for (int e = threadIdx.x; e < TC_TILE * TC_BK; e += 256) {
      int r = e / TC_BK, c = e % TC_BK;
      int gk = k0 + c, gr = row0 + r, gc = col0 + r;
      xs[r * (TC_BK + TC_PAD) + c] =
          TcTraits<P>::cvt((gr < m && gk < k) ? x[(long)gr * ldx + gk] : 0.f);
      ws[r * (TC_BK + TC_PAD) + c] =
          TcTraits<P>::cvt((gc < n && gk < k) ? w[(long)gc * k + gk] : 0.f);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < TC_BK; kk += TcTraits<P>::K) {
      wmma::fragment<wmma::matrix_a, 16, 16, TcTraits<P>::K, P, wmma::row_major> a;
      // w tile is [n][k] = Wᵀ in column-major order: exactly matrix_b col_major
      wmma::fragment<wmma::matrix_b, 16, 16, TcTraits<P>::K, P, wmma::col_major> b[2];
      wmma::load_matrix_sync(a, xs + wr * (TC_BK + TC_PAD) + kk, TC_BK + TC_PAD);
#pragma unroll
      for (int j = 0; j < 2; j++)
        wmma::load_matrix_sync(b[j], ws + (wc + 16 * j) * (TC_BK + TC_PAD) + kk, TC_BK + TC_PAD);
#pragma unroll
      for (int j = 0; j < 2; j++) wmma::mma_sync(acc[j], a, b[j], acc[j]);
    }
    __syncthreads();
  }
  // epilogue through shared memory: bias, accumulate and the edge guards per element
  float* out = reinterpret_cast<float*>(smem);
  const int ldo = TC_TILE + 4;
#pragma unroll
  for (int j = 0; j < 2; j++)
    wmma::store_matrix_sync(out + wr * ldo + wc + 16 * j, acc[j], ldo, wmma::mem_row_major);
  __syncthreads();
  for (int e = threadIdx.x; e < TC_TILE * TC_TILE; e += 256) {
    int r = e / TC_TILE, c = e % TC_TILE;
    int gr = row0 + r, gc = col0 + c;
    if (gr >= m || gc >= n) continue;
    float v = out[r * ldo + c] + (bias ? bias[gc] : 0.f);
    float* at = y + (long)gr * ldy + gc;
    *at = accumulate ? *at + v : v;
  }
}
#endif

// Launched like linear_f32: grid (ceil(n/64), ceil(m/64)), 256 threads.
extern "C" __global__ void __launch_bounds__(256) linear_bf16(
    float* y, int ldy, const float* x, int ldx, const float* w, const float* bias, int m, int n,
    int k, int accumulate) {
#if __CUDA_ARCH__ >= 800
  linear_tc_body<__nv_bfloat16>(y, ldy, x, ldx, w, bias, m, n, k, accumulate);
#else
  linear_f32_body(y, ldy, x, ldx, w, bias, m, n, k, accumulate);
#endif
}

extern "C" __global__ void __launch_bounds__(256) linear_tf32(
    float* y, int ldy, const float* x, int ldx, const float* w, const float* bias, int m, int n,
    int k, int accumulate) {
#if __CUDA_ARCH__ >= 800
  linear_tc_body<wmma::precision::tf32>(y, ldy, x, ldx, w, bias, m, n, k, accumulate);
#else
  linear_f32_body(y, ldy, x, ldx, w, bias, m, n, k, accumulate);
#endif
}
