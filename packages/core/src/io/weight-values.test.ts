import { describe, expect, it } from 'vitest';
import { badWeightValue, checkWeightValues } from './weight-values.js';

describe('weight values', () => {
  it('finds NaN and infinities in any weight, negative values only in BatchNorm variances', () => {
    expect(badWeightValue(Float32Array.from([1, -2, 3]))).toBeUndefined();
    expect(badWeightValue(Float32Array.from([1, Number.NaN]))).toMatchObject({ index: 1, problem: 'holds a value that is not a finite number' });
    expect(badWeightValue(Float32Array.from([-Infinity]), 'bn_gamma')).toMatchObject({ index: 0 });
    expect(badWeightValue(Float32Array.from([-1]), 'bn_gamma')).toBeUndefined();
    expect(badWeightValue(Float32Array.from([0, -1e-3]), 'bn_moving_variance')).toMatchObject({ index: 1, problem: 'holds a negative variance' });
  });

  it('throws one line naming the file, the tensor and the value', () => {
    expect(() => checkWeightValues(Float32Array.from([0, Infinity]), 'conv_kernel', 'w.safetensors', 'conv_stem.weight')).toThrow(
      /^w\.safetensors: conv_stem\.weight: holds a value that is not a finite number \(expected finite float32 values, got Infinity at element 1\)$/,
    );
    expect(() => checkWeightValues(Float32Array.from([-2]), 'bn_moving_variance', undefined, 'bn1.running_var')).toThrow(/^bn1\.running_var: holds a negative variance \(expected finite values >= 0, got -2 at element 0\)$/);
  });
});
