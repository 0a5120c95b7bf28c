// Depthwise k x k convolution (multiplier 1), computed directly over NHWC with four channels per
// SIMD lane group; TensorFlow's 'same' padding.
#include "common.h"

#include "geometry.h"

#define GEOMETRY_ARGS int B, int H, int W, int C, int k, int s, int top, int left, int Ho, int Wo

// Runs BODY for each tap (ky, kx) of output (oy, ox) that falls inside the H x W image, with the
// input row and column in iy, ix.
#define FOR_EACH_TAP(BODY)                        \
  for (int ky = 0; ky < k; ky++) {                \
    int iy = oy * s + ky - top;                   \
    if (iy < 0 || iy >= H) continue;              \
    for (int kx = 0; kx < k; kx++) {              \
      int ix = ox * s + kx - left;                \
      if (ix < 0 || ix >= W) continue;            \
      BODY                                        \
    }                                             \
  }

// Output (oy, ox) of image xb for channels [c, c + n): the sum over its taps inside the image.
INLINE f4 output_group(const float *xb, const float *w, int oy, int ox, int c, int n, int H, int W, int C, int k, int s, int top, int left) {
  f4 acc = splat(0.0f);
  FOR_EACH_TAP(acc = madd4(acc, load_n(xb + (iy * W + ix) * C + c, n), load_n(w + (ky * k + kx) * C + c, n));)
  return acc;
}

/** y[b, oy, ox, c] = sum over taps of x[b, iy, ix, c] * w[ky, kx, c]. */
void depthwise_forward(const float *x, const float *w, float *y, GEOMETRY_ARGS) {
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * H * W * C;
    for (int oy = 0; oy < Ho; oy++) {
      for (int ox = 0; ox < Wo; ox++) {
        float *out = y + ((long)(b * Ho + oy) * Wo + ox) * C;
        int c = 0;
        for (; c + 4 <= C; c += 4) store4(out + c, output_group(xb, w, oy, ox, c, 4, H, W, C, k, s, top, left));
        if (c < C) store_n(out + c, output_group(xb, w, oy, ox, c, C - c, H, W, C, k, s, top, left), C - c);
      }
    }
  }
}

// One tap's gradients for channels [c, c + n): dx += g * w (when dx is not null), dw += g * x.
INLINE void tap_group(const float *g, const float *xi, const float *wt, float *dxi, float *dwt, int c, int n) {
  f4 gv = load_n(g + c, n);
  if (dxi) store_n(dxi + c, madd4(load_n(dxi + c, n), gv, load_n(wt + c, n)), n);
  store_n(dwt + c, madd4(load_n(dwt + c, n), gv, load_n(xi + c, n)), n);
}

/** dx (overwritten) and dw (accumulate: added to) of a depthwise convolution; dx may be null. */
void depthwise_backward(const float *x, const float *w, const float *dy, float *dx, float *dw, GEOMETRY_ARGS, int accumulate) {
  if (dx) __builtin_memset(dx, 0, (unsigned long)B * H * W * C * sizeof(float));
  if (!accumulate) __builtin_memset(dw, 0, (unsigned long)k * k * C * sizeof(float));
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * H * W * C;
    float *dxb = dx ? dx + (long)b * H * W * C : 0;
    for (int oy = 0; oy < Ho; oy++) {
      for (int ox = 0; ox < Wo; ox++) {
        const float *g = dy + ((long)(b * Ho + oy) * Wo + ox) * C;
        FOR_EACH_TAP({
          const float *xi = xb + (iy * W + ix) * C;
          const float *wt = w + (ky * k + kx) * C;
          float *dwt = dw + (ky * k + kx) * C;
          float *dxi = dxb ? dxb + (iy * W + ix) * C : 0;
          int c = 0;
          for (; c + 4 <= C; c += 4) tap_group(g, xi, wt, dxi, dwt, c, 4);
          if (c < C) tap_group(g, xi, wt, dxi, dwt, c, C - c);
        })
      }
    }
  }
}
