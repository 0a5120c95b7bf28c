// Matrix products, row-major: the 1x1 convolutions, the im2col form of k x k convolutions, the
// dense layer and their gradients all reduce to these two.
#include "common.h"

// C[R rows, 8 cols] (+)= A[R, K] . B[K, 8 cols]; R is a constant after inlining, so the
// accumulators live in registers.
INLINE void tile8(int R, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int K, int accumulate) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++) {
    acc[r][0] = accumulate ? load4(C + r * ldc) : splat(0.0f);
    acc[r][1] = accumulate ? load4(C + r * ldc + 4) : splat(0.0f);
  }
  for (int k = 0; k < K; k++) {
    f4 b0 = load4(B + k * ldb), b1 = load4(B + k * ldb + 4);
    for (int r = 0; r < R; r++) {
      f4 a = splat(A[r * lda + k]);
      acc[r][0] = madd4(acc[r][0], a, b0);
      acc[r][1] = madd4(acc[r][1], a, b1);
    }
  }
  for (int r = 0; r < R; r++) {
    store4(C + r * ldc, acc[r][0]);
    store4(C + r * ldc + 4, acc[r][1]);
  }
}

// The same for the last n (< 8) columns.
INLINE void tile_tail(int R, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int K, int n, int accumulate) {
  for (int r = 0; r < R; r++) {
    for (int j = 0; j < n; j++) {
      float s = accumulate ? C[r * ldc + j] : 0.0f;
      for (int k = 0; k < K; k++) s += A[r * lda + k] * B[k * ldb + j];
      C[r * ldc + j] = s;
    }
  }
}

/** C[M,N] = A[M,K] . B[K,N] (accumulate: C += ...). */
void gemm(const float *A, const float *B, float *C, int M, int N, int K, int accumulate) {
  int n8 = N & ~7;
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    for (int j = 0; j < n8; j += 8) tile8(4, A + i * K, K, B + j, N, C + i * N + j, N, K, accumulate);
    if (n8 < N) tile_tail(4, A + i * K, K, B + n8, N, C + i * N + n8, N, K, N - n8, accumulate);
  }
  for (; i < M; i++) {
    for (int j = 0; j < n8; j += 8) tile8(1, A + i * K, K, B + j, N, C + i * N + j, N, K, accumulate);
    if (n8 < N) tile_tail(1, A + i * K, K, B + n8, N, C + i * N + n8, N, K, N - n8, accumulate);
  }
}

// C[4 rows from k0, 8 cols from j0] += sum over m of A[m, k0 + r] * B[m, j0 + c], m in [m0, m1).
INLINE void tile_tn8(int R, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int m0, int m1) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++) {
    acc[r][0] = load4(C + r * ldc);
    acc[r][1] = load4(C + r * ldc + 4);
  }
  for (int m = m0; m < m1; m++) {
    f4 b0 = load4(B + m * ldb), b1 = load4(B + m * ldb + 4);
    for (int r = 0; r < R; r++) {
      f4 a = splat(A[m * lda + r]);
      acc[r][0] = madd4(acc[r][0], a, b0);
      acc[r][1] = madd4(acc[r][1], a, b1);
    }
  }
  for (int r = 0; r < R; r++) {
    store4(C + r * ldc, acc[r][0]);
    store4(C + r * ldc + 4, acc[r][1]);
  }
}

/**
 * C[K,N] = A[M,K]^T . B[M,N] (accumulate: C += ...): filter gradients, reduced over every output
 * position. Rows are taken in chunks that stay in cache while every tile of C passes over them.
 */
void gemm_tn(const float *A, const float *B, float *C, int M, int K, int N, int accumulate) {
  if (!accumulate) __builtin_memset(C, 0, (unsigned)(K * N) * sizeof(float));
  int n8 = N & ~7;
  int chunk = 256;
  for (int m0 = 0; m0 < M; m0 += chunk) {
    int m1 = m0 + chunk < M ? m0 + chunk : M;
    int k = 0;
    for (; k + 4 <= K; k += 4) {
      for (int j = 0; j < n8; j += 8) tile_tn8(4, A + k, K, B + j, N, C + k * N + j, N, m0, m1);
    }
    for (; k < K; k++) {
      for (int j = 0; j < n8; j += 8) tile_tn8(1, A + k, K, B + j, N, C + k * N + j, N, m0, m1);
    }
    if (n8 < N) {
      for (int kk = 0; kk < K; kk++) {
        for (int j = n8; j < N; j++) {
          float s = C[kk * N + j];
          for (int m = m0; m < m1; m++) s += A[m * K + kk] * B[m * N + j];
          C[kk * N + j] = s;
        }
      }
    }
  }
}

/** dst[cols, rows] = src[rows, cols]^T. */
void transpose(const float *src, float *dst, int rows, int cols) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
}
