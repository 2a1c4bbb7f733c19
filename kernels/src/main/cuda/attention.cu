// Masked-query attention for one request (DESIGN.md, masked forward): queries are nq rows from
// qRow (prompt + masked rows), keys and values the union of two row spans (kv1Row, n1) and
// (kv2Row, n2) — the computed rows and the cached rows of the same request. Rows of qkv hold
// [q | k | v], each nh·d wide, row stride ldqkv; head e uses columns e·d..(e+1)·d.
// out[i, e·d + c] = Σ_j softmax_j(q_i·k_j/√d)·v_j[c], row stride ldo.
// FP32 throughout with an online (running max) softmax, so scores never leave the chip.
// Grid: (ceil(nq / ROWS), nh); 128 threads = 4 warps, each warp owns ROWS/4 query rows.
#include <cuda_runtime.h>

#define ATT_MAX_D 128
#define ATT_KEYS 32
#define ATT_ROWS 16
#define ATT_WARPS 4

extern "C" __global__ void __launch_bounds__(128) attention_f32(
    float* __restrict__ out, int ldo, const float* __restrict__ qkv, int ldqkv, int qRow, int nq,
    int kv1Row, int n1, int kv2Row, int n2, int heads, int d) {
  __shared__ float ks[ATT_KEYS][ATT_MAX_D + 1];
  __shared__ float vs[ATT_KEYS][ATT_MAX_D + 1];
  __shared__ float qs[ATT_ROWS][ATT_MAX_D];
  const int e = blockIdx.y;
  const int h = heads * d;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int rowsPerWarp = ATT_ROWS / ATT_WARPS;
  const int q0 = blockIdx.x * ATT_ROWS;
  const float scale = rsqrtf((float)d);
  for (int t = threadIdx.x; t < ATT_ROWS * d; t += blockDim.x) {
    int r = t / d, c = t % d;
    int qi = q0 + r;
    qs[r][c] = qi < nq ? qkv[(long)(qRow + qi) * ldqkv + e * d + c] * scale : 0.f;
  }
  float m[ATT_ROWS / ATT_WARPS], l[ATT_ROWS / ATT_WARPS];
  float o[ATT_ROWS / ATT_WARPS][ATT_MAX_D / 32];
#pragma unroll
  for (int r = 0; r < rowsPerWarp; r++) {
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int c = 0; c < ATT_MAX_D / 32; c++) o[r][c] = 0.f;
  }
  const int nk = n1 + n2;
  for (int j0 = 0; j0 < nk; j0 += ATT_KEYS) {
    __syncthreads();
    for (int t = threadIdx.x; t < ATT_KEYS * d; t += blockDim.x) {
      int j = t / d, c = t % d;
      int kj = j0 + j;
      float kv = 0.f, vv = 0.f;
      if (kj < nk) {
        long row = kj < n1 ? (long)kv1Row + kj : (long)kv2Row + (kj - n1);
        kv = qkv[row * ldqkv + h + e * d + c];
        vv = qkv[row * ldqkv + 2 * h + e * d + c];
      }
      ks[j][c] = kv;
      vs[j][c] = vv;
    }
    __syncthreads();
    const int valid = min(ATT_KEYS, nk - j0);
#pragma unroll
    for (int r = 0; r < rowsPerWarp; r++) {
      const int qr = warp * rowsPerWarp + r;
      // lane j scores key j0 + j
      float s = -INFINITY;
      if (lane < valid) {
        float acc = 0.f;
        for (int c = 0; c < d; c++) acc = fmaf(qs[qr][c], ks[lane][c], acc);
        s = acc;
      }
      float tileMax = s;
      for (int off = 16; off > 0; off >>= 1)
        tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, off));
      const float mNew = fmaxf(m[r], tileMax);
      const float alpha = __expf(m[r] - mNew);
      const float p = lane < valid ? __expf(s - mNew) : 0.f;
      float psum = p;
      for (int off = 16; off > 0; off >>= 1) psum += __shfl_xor_sync(0xffffffffu, psum, off);
      l[r] = l[r] * alpha + psum;
      m[r] = mNew;
#pragma unroll
      for (int c = 0; c < ATT_MAX_D / 32; c++) o[r][c] *= alpha;
      for (int j = 0; j < valid; j++) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int c = 0; c < ATT_MAX_D / 32; c++) {
          const int col = lane + 32 * c;
          if (col < d) o[r][c] = fmaf(pj, vs[j][col], o[r][c]);
        }
      }
    }
  }
#pragma unroll
  for (int r = 0; r < rowsPerWarp; r++) {
    const int qi = q0 + warp * rowsPerWarp + r;
    if (qi >= nq) continue;
    const float inv = 1.f / l[r];
#pragma unroll
    for (int c = 0; c < ATT_MAX_D / 32; c++) {
      const int col = lane + 32 * c;
      if (col < d) out[(long)qi * ldo + e * d + col] = o[r][c] * inv;
    }
  }
}
