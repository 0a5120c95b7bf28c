// Elementwise ops, broadcasts and the reductions that undo them.
#include "common.h"

INLINE void act_forward_as(const float *x, float *y, int n, const int act) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(y + i, act4(act, load4(x + i)));
  if (i < n) store_partial(y + i, act4(act, load_partial(x + i, n - i)), n - i);
}

/** y = act(x) over n values. */
void act_forward(const float *x, float *y, int n, int act) {
#define RUN(A) act_forward_as(x, y, n, A)
  WITH_ACTIVATION(act, RUN)
#undef RUN
}

INLINE void act_backward_as(const float *dy, const float *x, float *dx, int n, const int act) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(dx + i, mul4(load4(dy + i), act_grad4(act, load4(x + i))));
  if (i < n) store_partial(dx + i, mul4(load_partial(dy + i, n - i), act_grad4(act, load_partial(x + i, n - i))), n - i);
}

/** dx = dy * act'(x) over n values (x is the activation's input). */
void act_backward(const float *dy, const float *x, float *dx, int n, int act) {
#define RUN(A) act_backward_as(dy, x, dx, n, A)
  WITH_ACTIVATION(act, RUN)
#undef RUN
}

/** dx = dy * y * (1 - y): the sigmoid's gradient from its output y. */
void sigmoid_backward(const float *dy, const float *y, float *dx, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

/** y[b, c] = mean over the S positions of x[b, s, c]. */
void spatial_mean(const float *x, float *y, int B, int S, int C) {
  float inv = 1.0f / (float)S;
  for (int b = 0; b < B; b++) {
    float *yb = y + (long)b * C;
    for (int c = 0; c < C; c++) yb[c] = 0.0f;
    for (int s = 0; s < S; s++) {
      const float *row = x + ((long)b * S + s) * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) store4(yb + c, add4(load4(yb + c), load4(row + c)));
      for (; c < C; c++) yb[c] += row[c];
    }
    for (int c = 0; c < C; c++) yb[c] *= inv;
  }
}

/** dx[b, s, c] = dy[b, c] / S (overwritten). */
void spatial_mean_backward(const float *dy, float *dx, int B, int S, int C) {
  float inv = 1.0f / (float)S;
  for (int b = 0; b < B; b++) {
    const float *g = dy + (long)b * C;
    for (int s = 0; s < S; s++) {
      float *row = dx + ((long)b * S + s) * C;
      for (int c = 0; c < C; c++) row[c] = g[c] * inv;
    }
  }
}

/** y[b, s, c] = x[b, s, c] * g[b, c] (a per-sample, per-channel gate). */
void mul_channels(const float *x, const float *g, float *y, int B, int S, int C) {
  for (int b = 0; b < B; b++) {
    const float *gb = g + (long)b * C;
    for (int s = 0; s < S; s++) {
      const float *xr = x + ((long)b * S + s) * C;
      float *yr = y + ((long)b * S + s) * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) store4(yr + c, mul4(load4(xr + c), load4(gb + c)));
      for (; c < C; c++) yr[c] = xr[c] * gb[c];
    }
  }
}

/** Backward of mul_channels: dx = dy * g (when dx is not null), dg[b, c] = sum over s of dy * x. */
void mul_channels_backward(const float *dy, const float *x, const float *g, float *dx, float *dg, int B, int S, int C) {
  for (int b = 0; b < B; b++) {
    const float *gb = g + (long)b * C;
    float *dgb = dg + (long)b * C;
    for (int c = 0; c < C; c++) dgb[c] = 0.0f;
    for (int s = 0; s < S; s++) {
      const float *xr = x + ((long)b * S + s) * C;
      const float *dyr = dy + ((long)b * S + s) * C;
      float *dxr = dx ? dx + ((long)b * S + s) * C : 0;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        f4 d = load4(dyr + c);
        if (dxr) store4(dxr + c, mul4(d, load4(gb + c)));
        store4(dgb + c, madd4(load4(dgb + c), d, load4(xr + c)));
      }
      for (; c < C; c++) {
        if (dxr) dxr[c] = dyr[c] * gb[c];
        dgb[c] += dyr[c] * xr[c];
      }
    }
  }
}

/** y = a * b over n values. */
void mul(const float *a, const float *b, float *y, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(y + i, mul4(load4(a + i), load4(b + i)));
  for (; i < n; i++) y[i] = a[i] * b[i];
}

/** y = a + b over n values. */
void add(const float *a, const float *b, float *y, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) store4(y + i, add4(load4(a + i), load4(b + i)));
  for (; i < n; i++) y[i] = a[i] + b[i];
}

/** y[r, :] = x[r, :] * factor[r] for R rows of n values. */
void scale_rows(const float *x, const float *factor, float *y, int R, int n) {
  for (int r = 0; r < R; r++) {
    f4 f = splat(factor[r]);
    const float *xr = x + (long)r * n;
    float *yr = y + (long)r * n;
    int i = 0;
    for (; i + 4 <= n; i += 4) store4(yr + i, mul4(load4(xr + i), f));
    for (; i < n; i++) yr[i] = xr[i] * factor[r];
  }
}

/** y[m, c] += bias[c] over M rows. */
void bias_add(float *y, const float *bias, int M, int C) {
  for (int m = 0; m < M; m++) {
    float *r = y + (long)m * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) store4(r + c, add4(load4(r + c), load4(bias + c)));
    for (; c < C; c++) r[c] += bias[c];
  }
}

/** db[c] = sum over M rows of dy[m, c] (overwritten). */
void column_sums(const float *dy, float *db, int M, int C) {
  for (int c = 0; c < C; c++) db[c] = 0.0f;
  for (int m = 0; m < M; m++) {
    const float *r = dy + (long)m * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) store4(db + c, add4(load4(db + c), load4(r + c)));
    for (; c < C; c++) db[c] += r[c];
  }
}

// Natural logarithm of a positive normal float: exponent and mantissa in [sqrt(1/2), sqrt(2)),
// then log(1 + f) by its series in s = f / (2 + f).
static float log_positive(float x) {
  union { float f; uint32_t u; } v = {x};
  int e = (int)((v.u >> 23) & 255) - 127;
  v.u = (v.u & 0x007fffff) | 0x3f800000;
  float m = v.f;
  if (m > 1.41421356f) m *= 0.5f, e += 1;
  float f = m - 1.0f, s = f / (2.0f + f), s2 = s * s;
  float series = 2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 / 11)))));
  return series + (float)e * 0.69314718056f;
}

/**
 * Mean softmax cross-entropy of logits [B, N] against soft labels [B, N]: returns the loss and
 * writes dlogits = (softmax - labels) / B.
 */
float softmax_cross_entropy(const float *logits, const float *labels, float *dlogits, int B, int N) {
  double total = 0;
  for (int b = 0; b < B; b++) {
    const float *l = logits + (long)b * N, *t = labels + (long)b * N;
    float *d = dlogits + (long)b * N;
    float mx = l[0];
    for (int j = 1; j < N; j++) mx = l[j] > mx ? l[j] : mx;
    float sum = 0.0f;
    int j = 0;
    for (; j + 4 <= N; j += 4) {
      f4 e = exp4(sub4(load4(l + j), splat(mx)));
      store4(d + j, e);
      sum += wasm_f32x4_extract_lane(e, 0) + wasm_f32x4_extract_lane(e, 1) + wasm_f32x4_extract_lane(e, 2) + wasm_f32x4_extract_lane(e, 3);
    }
    if (j < N) {
      int n = N - j;
      float e[4];
      store4(e, exp4(sub4(load_partial(l + j, n), splat(mx))));
      for (int i = 0; i < n; i++) d[j + i] = e[i], sum += e[i];
    }
    float lse = mx + log_positive(sum);
    double row = 0;
    for (int k = 0; k < N; k++) {
      row += (double)t[k] * (lse - l[k]);
      d[k] = (d[k] / sum - t[k]) / (float)B;
    }
    total += row;
  }
  return (float)(total / B);
}
