// k x k convolutions as im2col + matrix product, a chunk of output positions at a time (so the
// column buffer stays small), with TensorFlow's 'same' padding: the extra row or column of an
// odd total padding goes to the bottom / right.
#include "common.h"

void gemm(const float *A, const float *B, float *C, int M, int N, int K, int accumulate);
void gemm_tn(const float *A, const float *B, float *C, int M, int K, int N, int accumulate);

#include "geometry.h"

// cols[m - m0, (ky * k + kx) * C + c] = x at output position m's tap (ky, kx), zero outside.
static void im2col_rows(const float *x, float *cols, const Geometry *g, int m0, int m1) {
  int row = g->k * g->k * g->C, C = g->C;
  for (int m = m0; m < m1; m++) {
    int ox = m % g->Wo, t = m / g->Wo, oy = t % g->Ho, b = t / g->Ho;
    const float *xb = x + (long)b * g->H * g->W * C;
    float *dst = cols + (long)(m - m0) * row;
    for (int ky = 0; ky < g->k; ky++) {
      int iy = oy * g->s + ky - g->top;
      for (int kx = 0; kx < g->k; kx++) {
        int ix = ox * g->s + kx - g->left;
        float *d = dst + (ky * g->k + kx) * C;
        if (iy < 0 || iy >= g->H || ix < 0 || ix >= g->W) {
          for (int c = 0; c < C; c++) d[c] = 0.0f;
        } else {
          const float *src = xb + (iy * g->W + ix) * C;
          for (int c = 0; c < C; c++) d[c] = src[c];
        }
      }
    }
  }
}

// dx at every tap of output positions [m0, m1) += the matching cols entries.
static void col2im_rows(const float *cols, float *dx, const Geometry *g, int m0, int m1) {
  int row = g->k * g->k * g->C, C = g->C;
  for (int m = m0; m < m1; m++) {
    int ox = m % g->Wo, t = m / g->Wo, oy = t % g->Ho, b = t / g->Ho;
    float *xb = dx + (long)b * g->H * g->W * C;
    const float *src = cols + (long)(m - m0) * row;
    for (int ky = 0; ky < g->k; ky++) {
      int iy = oy * g->s + ky - g->top;
      if (iy < 0 || iy >= g->H) continue;
      for (int kx = 0; kx < g->k; kx++) {
        int ix = ox * g->s + kx - g->left;
        if (ix < 0 || ix >= g->W) continue;
        const float *d = src + (ky * g->k + kx) * C;
        float *t2 = xb + (iy * g->W + ix) * C;
        for (int c = 0; c < C; c++) t2[c] += d[c];
      }
    }
  }
}

/** y rows [m_begin, m_end) of conv(x, w[k*k*C, N]); `cols` holds `chunk` rows of k*k*C floats. */
void conv_forward_rows(const float *x, const float *w, float *y, int N, const Geometry *g, float *cols, int chunk, int m_begin, int m_end) {
  int K = g->k * g->k * g->C;
  for (int m0 = m_begin; m0 < m_end; m0 += chunk) {
    int m1 = m0 + chunk < m_end ? m0 + chunk : m_end;
    im2col_rows(x, cols, g, m0, m1);
    gemm(cols, w, y + (long)m0 * N, m1 - m0, N, K, 0);
  }
}

/** dw[k*k*C, N] = im2col(x)^T . dy over output rows [m_begin, m_end) (overwritten). */
void conv_backward_filter_rows(const float *x, const float *dy, float *dw, int N, const Geometry *g, float *cols, int chunk, int m_begin, int m_end) {
  int K = g->k * g->k * g->C;
  if (m_begin >= m_end) __builtin_memset(dw, 0, (unsigned long)K * N * sizeof(float));
  for (int m0 = m_begin; m0 < m_end; m0 += chunk) {
    int m1 = m0 + chunk < m_end ? m0 + chunk : m_end;
    im2col_rows(x, cols, g, m0, m1);
    gemm_tn(cols, dy + (long)m0 * N, dw, m1 - m0, K, N, m0 > m_begin);
  }
}

/** dx of images [b_begin, b_end) (overwritten), given wT = w^T [N, k*k*C]. */
void conv_backward_input_images(const float *dy, const float *wT, float *dx, int N, const Geometry *g, float *cols, int chunk, int b_begin, int b_end) {
  int K = g->k * g->k * g->C;
  long image = (long)g->H * g->W * g->C;
  if (b_end > b_begin) __builtin_memset(dx + b_begin * image, 0, (unsigned long)(b_end - b_begin) * image * sizeof(float));
  int m_begin = b_begin * g->Ho * g->Wo, m_end = b_end * g->Ho * g->Wo;
  for (int m0 = m_begin; m0 < m_end; m0 += chunk) {
    int m1 = m0 + chunk < m_end ? m0 + chunk : m_end;
    gemm(dy + (long)m0 * N, wT, cols, m1 - m0, K, N, 0);
    col2im_rows(cols, dx, g, m0, m1);
  }
}
