/**
 * Reorders the axes of a dense row-major array: output axis i is input axis `perm[i]`
 * (the semantics of `tf.transpose`), in plain JS so no tensor is created.
 */
export function permuteAxes(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  if (perm.every((p, i) => p === i)) return data;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const stepIn = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      idx[axis]!++;
      src += stepIn[axis]!;
      if (idx[axis]! < outShape[axis]!) break;
      src -= stepIn[axis]! * outShape[axis]!;
      idx[axis] = 0;
    }
  }
  return out;
}
