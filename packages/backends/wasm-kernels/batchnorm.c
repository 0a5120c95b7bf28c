// BatchNorm over the rows of an [M, C] buffer (M = batch * height * width), fused with the
// activation that follows it. Each thread sums its own rows (float lanes over blocks of 64 rows,
// gathered in double precision) into its slice of a partial-sums buffer; `program.c` adds the
// slices together between barriers.
#include "common.h"

#define BLOCK_ROWS 64

// part[c, c + n) += z row values, or their squared deviations from `mean`.
INLINE void moment_group(const float *row, const float *mean, float *part, int c, int n) {
  f4 v = load_n(row + c, n);
  if (mean) {
    v = sub4(v, load_n(mean + c, n));
    v = mul4(v, v);
  }
  store_n(part + c, add4(load_n(part + c, n), v), n);
}

// out[c] = sum over rows of z[m, c], or of (z[m, c] - mean[c])^2 when `mean` is given (a
// constant after inlining), in float lanes over blocks of rows gathered in double.
INLINE void column_moments(const float *z, int rows, int C, const float *mean, double *out) {
  float part[C] __attribute__((aligned(16)));
  for (int c = 0; c < C; c++) out[c] = 0;
  for (int m0 = 0; m0 < rows; m0 += BLOCK_ROWS) {
    int m1 = m0 + BLOCK_ROWS < rows ? m0 + BLOCK_ROWS : rows;
    for (int c = 0; c < C; c++) part[c] = 0.0f;
    for (int m = m0; m < m1; m++) {
      const float *row = z + (long)m * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) moment_group(row, mean, part, c, 4);
      if (c < C) moment_group(row, mean, part, c, C - c);
    }
    for (int c = 0; c < C; c++) out[c] += part[c];
  }
}

/** out[c] = sum over rows of z[m, c] (double). */
void bn_column_sums(const float *z, int rows, int C, double *out) { column_moments(z, rows, C, 0, out); }

/** out[c] = sum over rows of (z[m, c] - mean[c])^2 (double). */
void bn_squared_deviations(const float *z, int rows, int C, const float *mean, double *out) { column_moments(z, rows, C, mean, out); }

/**
 * coef = [scale, shift, mean, inv] (4 x C): inv = 1 / sqrt(variance + eps), scale = gamma * inv,
 * shift = beta - mean * scale, so that u = z * scale + shift and xhat = (z - mean) * inv.
 */
void bn_coefficients(const float *mean, const float *variance, const float *gamma, const float *beta, float eps, int C, float *coef) {
  for (int c = 0; c < C; c++) {
    float inv = 1.0f / __builtin_sqrtf(variance[c] + eps);
    coef[c] = gamma[c] * inv;
    coef[C + c] = beta[c] - mean[c] * coef[c];
    coef[2 * C + c] = mean[c];
    coef[3 * C + c] = inv;
  }
}

INLINE void apply_rows(const float *z, int rows, int C, const float *coef, const int act, float *y, float *dact) {
  const float *scale = coef, *shift = coef + C;
  for (int m = 0; m < rows; m++) {
    const float *zr = z + (long)m * C;
    float *yr = y + (long)m * C;
    float *dr = dact ? dact + (long)m * C : 0;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      f4 u = madd4(load4(shift + c), load4(zr + c), load4(scale + c));
      if (dr) {
        f4 d;
        store4(yr + c, act_and_grad4(act, u, &d));
        store4(dr + c, d);
      } else {
        store4(yr + c, act4(act, u));
      }
    }
    if (c < C) {
      int n = C - c;
      f4 u = madd4(load_partial(shift + c, n), load_partial(zr + c, n), load_partial(scale + c, n));
      if (dr) {
        f4 d;
        store_partial(yr + c, act_and_grad4(act, u, &d), n);
        store_partial(dr + c, d, n);
      } else {
        store_partial(yr + c, act4(act, u), n);
      }
    }
  }
}

/**
 * y = act(z * scale + shift) over rows; with `dact` (training, costly activations), also
 * act'(z * scale + shift), which the backward pass then reads instead of recomputing.
 */
void bn_apply(const float *z, int rows, int C, const float *coef, int act, float *y, float *dact) {
#define APPLY(A) apply_rows(z, rows, C, coef, A, y, dact)
  WITH_ACTIVATION(act, APPLY)
#undef APPLY
}

INLINE void backward_sums_rows(const float *dy, const float *z, int rows, int C, const float *coef, const float *gamma, const float *beta, const int act, const float *dact, float *dz, double *sum_g, double *sum_gx) {
  const float *mean = coef + 2 * C, *inv = coef + 3 * C;
  float part_g[C] __attribute__((aligned(16)));
  float part_gx[C] __attribute__((aligned(16)));
  for (int c = 0; c < C; c++) sum_g[c] = 0, sum_gx[c] = 0;
  for (int m0 = 0; m0 < rows; m0 += BLOCK_ROWS) {
    int m1 = m0 + BLOCK_ROWS < rows ? m0 + BLOCK_ROWS : rows;
    for (int c = 0; c < C; c++) part_g[c] = 0.0f, part_gx[c] = 0.0f;
    for (int m = m0; m < m1; m++) {
      const float *zr = z + (long)m * C, *dyr = dy + (long)m * C;
      float *gr = dz + (long)m * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        f4 xhat = mul4(sub4(load4(zr + c), load4(mean + c)), load4(inv + c));
        f4 g = load4(dyr + c);
        if (dact) g = mul4(g, load4(dact + (long)m * C + c));
        else if (act != ACT_LINEAR) g = mul4(g, act_grad4(act, madd4(load4(beta + c), load4(gamma + c), xhat)));
        store4(gr + c, g);
        store4(part_g + c, add4(load4(part_g + c), g));
        store4(part_gx + c, madd4(load4(part_gx + c), g, xhat));
      }
      if (c < C) {
        int n = C - c;
        f4 xhat = mul4(sub4(load_partial(zr + c, n), load_partial(mean + c, n)), load_partial(inv + c, n));
        f4 g = load_partial(dyr + c, n);
        if (dact) g = mul4(g, load_partial(dact + (long)m * C + c, n));
        else if (act != ACT_LINEAR) g = mul4(g, act_grad4(act, madd4(load_partial(beta + c, n), load_partial(gamma + c, n), xhat)));
        store_partial(gr + c, g, n);
        float gs[4], gxs[4];
        store4(gs, g);
        store4(gxs, mul4(g, xhat));
        for (int i = 0; i < n; i++) part_g[c + i] += gs[i], part_gx[c + i] += gxs[i];
      }
    }
    for (int c = 0; c < C; c++) sum_g[c] += part_g[c], sum_gx[c] += part_gx[c];
  }
}

/**
 * Backward pass 1 over rows: g = dy * act'(u) into dz (act' read from `dact` when the forward
 * pass saved it); per-channel sums of g and g * xhat.
 */
void bn_backward_sums(const float *dy, const float *z, int rows, int C, const float *coef, const float *gamma, const float *beta, int act, const float *dact, float *dz, double *sum_g, double *sum_gx) {
#define SUMS(A) backward_sums_rows(dy, z, rows, C, coef, gamma, beta, A, dact, dz, sum_g, sum_gx)
  WITH_ACTIVATION(act, SUMS)
#undef SUMS
}

/** Backward pass 2 over rows, in place: dz = scale * (g - mean(g) - xhat * mean(g * xhat)); means = [mean(g), mean(g xhat)]. */
void bn_backward_apply(const float *z, int rows, int C, const float *coef, const float *means, float *dz) {
  const float *scale = coef, *mean = coef + 2 * C, *inv = coef + 3 * C, *mg = means, *mgx = means + C;
  for (int m = 0; m < rows; m++) {
    const float *zr = z + (long)m * C;
    float *gr = dz + (long)m * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      f4 xhat = mul4(sub4(load4(zr + c), load4(mean + c)), load4(inv + c));
      f4 v = sub4(sub4(load4(gr + c), load4(mg + c)), mul4(xhat, load4(mgx + c)));
      store4(gr + c, mul4(v, load4(scale + c)));
    }
    for (; c < C; c++) {
      float xhat = (zr[c] - mean[c]) * inv[c];
      gr[c] = scale[c] * (gr[c] - mg[c] - xhat * mgx[c]);
    }
  }
}
