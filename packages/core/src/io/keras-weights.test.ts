import { describe, expect, it } from 'vitest';
import { writeHdf5 } from './hdf5/hdf5-writer.js';
import { encodeKerasH5, kerasWeightsGroup, type KerasH5Layer } from './keras-checkpoint.js';
import { kerasVariableRole, readKerasWeights } from './keras-weights.js';

const layers: KerasH5Layer[] = [
  { name: 'stem_conv', weights: [{ variable: 'kernel', shape: [1, 1, 3, 2], data: Float32Array.from({ length: 6 }, (_, i) => i) }] },
  { name: 'block1a_dwconv2', weights: [{ variable: 'kernel', shape: [3, 3, 2, 1], data: new Float32Array(18).fill(0.5) }] },
];

describe('Keras weights files', () => {
  it('reads the legacy layout in weights files and under model_weights in full-model files', () => {
    const full = writeHdf5({ kind: 'group', attributes: [['keras_version', { strings: ['2.15.0'], scalar: true }]], children: new Map([['model_weights', kerasWeightsGroup(layers)]]) });
    for (const bytes of [encodeKerasH5(layers, { kerasVersion: '3.1.0' }), full]) {
      const file = readKerasWeights(bytes, 'w.h5');
      expect(file.layout).toBe('legacy-h5');
      expect([...file.layers.keys()]).toEqual(['stem_conv', 'block1a_dwconv2']);
      expect([...file.layers.get('stem_conv')![0]!.read()]).toEqual([0, 1, 2, 3, 4, 5]);
      expect(file.layers.get('block1a_dwconv2')![0]!.shape).toEqual([3, 3, 2, 1]);
    }
    expect(readKerasWeights(full).kerasVersion).toBe('3.0.0');
  });

  it('says so when an HDF5 file holds no Keras weights', () => {
    expect(() => readKerasWeights(writeHdf5({ kind: 'group', children: new Map([['data', { kind: 'group' }]]) }), 'x.h5')).toThrow(
      /^x\.h5: is an HDF5 file but not Keras weights .*got top-level entries: data\)$/,
    );
  });

  it('reads variable roles from Keras 2 and Keras 3 names', () => {
    expect(['stem_conv/kernel:0', 'stem_conv/kernel', 'block4a_dwconv2/depthwise_kernel:0', 'top_bn/moving_variance:0'].map(kerasVariableRole)).toEqual(['kernel', 'kernel', 'kernel', 'moving_variance']);
  });
});
