// Depthwise k x k convolution (multiplier 1), computed directly over NHWC with four channels per
// SIMD lane group; TensorFlow's 'same' padding.
#include "common.h"

#include "geometry.h"

#define GEOMETRY_ARGS int B, int H, int W, int C, int k, int s, int top, int left, int Ho, int Wo

/** y[b, oy, ox, c] = sum over taps of x[b, iy, ix, c] * w[ky, kx, c]. */
void depthwise_forward(const float *x, const float *w, float *y, GEOMETRY_ARGS) {
  int c4 = C & ~3;
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * H * W * C;
    for (int oy = 0; oy < Ho; oy++) {
      for (int ox = 0; ox < Wo; ox++) {
        float *out = y + ((long)(b * Ho + oy) * Wo + ox) * C;
        int c = 0;
        for (; c < c4; c += 4) {
          f4 acc = splat(0.0f);
          for (int ky = 0; ky < k; ky++) {
            int iy = oy * s + ky - top;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < k; kx++) {
              int ix = ox * s + kx - left;
              if (ix < 0 || ix >= W) continue;
              acc = madd4(acc, load4(xb + (iy * W + ix) * C + c), load4(w + (ky * k + kx) * C + c));
            }
          }
          store4(out + c, acc);
        }
        for (; c < C; c++) {
          float acc = 0.0f;
          for (int ky = 0; ky < k; ky++) {
            int iy = oy * s + ky - top;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < k; kx++) {
              int ix = ox * s + kx - left;
              if (ix < 0 || ix >= W) continue;
              acc += xb[(iy * W + ix) * C + c] * w[(ky * k + kx) * C + c];
            }
          }
          out[c] = acc;
        }
      }
    }
  }
}

/** dx (overwritten) and dw (accumulate: added to) of a depthwise convolution; dx may be null. */
void depthwise_backward(const float *x, const float *w, const float *dy, float *dx, float *dw, GEOMETRY_ARGS, int accumulate) {
  int c4 = C & ~3;
  if (dx) __builtin_memset(dx, 0, (unsigned long)B * H * W * C * sizeof(float));
  if (!accumulate) __builtin_memset(dw, 0, (unsigned long)k * k * C * sizeof(float));
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * H * W * C;
    float *dxb = dx ? dx + (long)b * H * W * C : 0;
    for (int oy = 0; oy < Ho; oy++) {
      for (int ox = 0; ox < Wo; ox++) {
        const float *g = dy + ((long)(b * Ho + oy) * Wo + ox) * C;
        for (int ky = 0; ky < k; ky++) {
          int iy = oy * s + ky - top;
          if (iy < 0 || iy >= H) continue;
          for (int kx = 0; kx < k; kx++) {
            int ix = ox * s + kx - left;
            if (ix < 0 || ix >= W) continue;
            const float *xi = xb + (iy * W + ix) * C;
            float *wt = (float *)w + (ky * k + kx) * C;
            float *dwt = dw + (ky * k + kx) * C;
            int c = 0;
            if (dxb) {
              float *dxi = dxb + (iy * W + ix) * C;
              for (; c < c4; c += 4) {
                f4 gv = load4(g + c);
                store4(dxi + c, madd4(load4(dxi + c), gv, load4(wt + c)));
                store4(dwt + c, madd4(load4(dwt + c), gv, load4(xi + c)));
              }
              for (; c < C; c++) {
                dxi[c] += g[c] * wt[c];
                dwt[c] += g[c] * xi[c];
              }
            } else {
              for (; c < c4; c += 4) store4(dwt + c, madd4(load4(dwt + c), load4(g + c), load4(xi + c)));
              for (; c < C; c++) dwt[c] += g[c] * xi[c];
            }
          }
        }
      }
    }
  }
}
