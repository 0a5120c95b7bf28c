// Shared definitions of the compiled training engine's kernels (WebAssembly, 128-bit SIMD).
// Every kernel works on float32 NHWC buffers inside the module's memory, addressed by byte
// offsets the engine's memory plan assigns; nothing here allocates.
#ifndef EFFNET_COMMON_H
#define EFFNET_COMMON_H

#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) 
#define INLINE static inline __attribute__((always_inline))

typedef v128_t f4;

// Activation codes; the engine's TypeScript side uses the same numbers.
enum {
  ACT_LINEAR = 0,
  ACT_RELU = 1,
  ACT_RELU6 = 2,
  ACT_SILU = 3,
  ACT_HARD_SWISH = 4,
  ACT_GELU = 5,
  ACT_SIGMOID = 6,
};

INLINE f4 splat(float v) { return wasm_f32x4_splat(v); }
INLINE f4 load4(const float *p) { return wasm_v128_load(p); }
INLINE void store4(float *p, f4 v) { wasm_v128_store(p, v); }
INLINE f4 add4(f4 a, f4 b) { return wasm_f32x4_add(a, b); }
INLINE f4 sub4(f4 a, f4 b) { return wasm_f32x4_sub(a, b); }
INLINE f4 mul4(f4 a, f4 b) { return wasm_f32x4_mul(a, b); }
INLINE f4 madd4(f4 acc, f4 a, f4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }

// Loads / stores of the first n (< 4) lanes, the rest zero.
INLINE f4 load_partial(const float *p, int n) {
  float t[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return wasm_v128_load(t);
}
INLINE void store_partial(float *p, f4 v, int n) {
  float t[4];
  wasm_v128_store(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}

// The first n (1..4) lanes: a plain load / store when n is 4 (a constant after inlining).
INLINE f4 load_n(const float *p, int n) { return n == 4 ? load4(p) : load_partial(p, n); }
INLINE void store_n(float *p, f4 v, int n) {
  if (n == 4) store4(p, v);
  else store_partial(p, v, n);
}

// exp(x) for float32 lanes: x = n ln 2 + r with n rounded to nearest by adding 1.5 * 2^23 + 127
// (whose low mantissa bits then hold n + 127, shifted straight into an exponent), and a degree-6
// polynomial for exp(r) (relative error about 2e-7). Inputs clamped to [-87, 88].
INLINE f4 exp4(f4 x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, splat(-87.0f)), splat(88.0f));
  const float magic = 12582912.0f + 127.0f;
  f4 kn = madd4(splat(magic), x, splat(1.44269504088896341f));
  f4 n = sub4(kn, splat(magic));
  f4 r = sub4(x, mul4(n, splat(0.693359375f)));
  r = sub4(r, mul4(n, splat(-2.12194440e-4f)));
  f4 p = splat(1.9875691500e-4f);
  p = madd4(splat(1.3981999507e-3f), p, r);
  p = madd4(splat(8.3334519073e-3f), p, r);
  p = madd4(splat(4.1665795894e-2f), p, r);
  p = madd4(splat(1.6666665459e-1f), p, r);
  p = madd4(splat(5.0000001201e-1f), p, r);
  p = add4(madd4(r, p, mul4(r, r)), splat(1.0f));
  return mul4(p, wasm_i32x4_shl(kn, 23));
}

INLINE f4 sigmoid4(f4 x) { return wasm_f32x4_div(splat(1.0f), add4(splat(1.0f), exp4(wasm_f32x4_neg(x)))); }

// tanh(x) = 1 - 2 / (exp(2x) + 1).
INLINE f4 tanh4(f4 x) { return sub4(splat(1.0f), wasm_f32x4_div(splat(2.0f), add4(exp4(add4(x, x)), splat(1.0f)))); }

INLINE f4 clamp4(f4 x, float lo, float hi) { return wasm_f32x4_pmin(wasm_f32x4_pmax(x, splat(lo)), splat(hi)); }

// The activation of u.
INLINE f4 act4(int act, f4 u) {
  switch (act) {
    case ACT_RELU: return wasm_f32x4_pmax(u, splat(0.0f));
    case ACT_RELU6: return clamp4(u, 0.0f, 6.0f);
    case ACT_SILU: return mul4(u, sigmoid4(u));
    case ACT_HARD_SWISH: return mul4(u, mul4(clamp4(add4(u, splat(3.0f)), 0.0f, 6.0f), splat(1.0f / 6.0f)));
    case ACT_GELU: {
      f4 inner = mul4(splat(0.7978845608028654f), madd4(u, mul4(splat(0.044715f), u), mul4(u, u)));
      return mul4(mul4(splat(0.5f), u), add4(splat(1.0f), tanh4(inner)));
    }
    case ACT_SIGMOID: return sigmoid4(u);
    default: return u;
  }
}

// d act(u) / du, in the form the eager path's automatic differentiation computes it.
INLINE f4 act_grad4(int act, f4 u) {
  f4 zero = splat(0.0f), one = splat(1.0f);
  switch (act) {
    case ACT_RELU: return wasm_v128_and(wasm_f32x4_gt(u, zero), one);
    case ACT_RELU6: return wasm_v128_and(wasm_v128_and(wasm_f32x4_gt(u, zero), wasm_f32x4_le(u, splat(6.0f))), one);
    case ACT_SILU: {
      f4 s = sigmoid4(u);
      return mul4(s, madd4(one, u, sub4(one, s)));
    }
    case ACT_HARD_SWISH: {
      f4 v = add4(u, splat(3.0f));
      f4 gate = mul4(clamp4(v, 0.0f, 6.0f), splat(1.0f / 6.0f));
      f4 inside = wasm_v128_and(wasm_v128_and(wasm_f32x4_gt(v, zero), wasm_f32x4_le(v, splat(6.0f))), one);
      return madd4(gate, u, mul4(inside, splat(1.0f / 6.0f)));
    }
    case ACT_GELU: {
      // y = 0.5 u (1 + t), t = tanh(c (u + a u^3)); dy/du = 0.5 (1 + t) + 0.5 u (1 - t^2) c (1 + 3 a u^2).
      f4 c = splat(0.7978845608028654f), a = splat(0.044715f);
      f4 u2 = mul4(u, u);
      f4 t = tanh4(mul4(c, madd4(u, mul4(a, u), u2)));
      f4 left = mul4(splat(0.5f), add4(one, t));
      f4 dinner = mul4(c, madd4(one, mul4(splat(3.0f), a), u2));
      return madd4(left, mul4(mul4(splat(0.5f), u), sub4(one, mul4(t, t))), dinner);
    }
    case ACT_SIGMOID: {
      f4 s = sigmoid4(u);
      return mul4(s, sub4(one, s));
    }
    default: return one;
  }
}

// The activation of u and its derivative together (cheaper than apart for SiLU and GELU).
INLINE f4 act_and_grad4(int act, f4 u, f4 *grad) {
  if (act == ACT_SILU) {
    f4 s = sigmoid4(u), one = splat(1.0f);
    *grad = mul4(s, madd4(one, u, sub4(one, s)));
    return mul4(u, s);
  }
  *grad = act_grad4(act, u);
  return act4(act, u);
}

// Calls BODY(A) with the activation code as a constant, so that each activation's loop is
// compiled on its own with nothing to decide per element.
#define WITH_ACTIVATION(act, BODY) \
  switch (act) {                   \
    case ACT_RELU: BODY(ACT_RELU); break;             \
    case ACT_RELU6: BODY(ACT_RELU6); break;           \
    case ACT_SILU: BODY(ACT_SILU); break;             \
    case ACT_HARD_SWISH: BODY(ACT_HARD_SWISH); break; \
    case ACT_GELU: BODY(ACT_GELU); break;             \
    case ACT_SIGMOID: BODY(ACT_SIGMOID); break;       \
    default: BODY(ACT_LINEAR); break;                 \
  }

#endif
