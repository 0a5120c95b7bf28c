import type { LayerOps } from '@effnet/core';

/**
 * Channels of the squeeze-excitation bottleneck: `max(1, floor(blockInputChannels * ratio))`,
 * relative to the block's input, not its expanded width (official code and Keras).
 */
export function seChannels(blockInputChannels: number, ratio: number): number {
  return Math.max(1, Math.floor(blockInputChannels * ratio));
}

/**
 * Squeeze-excitation: spatial mean, 1x1 conv (bias) to `reduced` channels, activation, 1x1 conv
 * (bias) back to the input's channels, sigmoid, and a channel-wise product with the input.
 * Layers: `se_reduce`, `se_expand`.
 */
export function squeezeExcite<T>(ops: LayerOps<T>, x: T, reduced: number): T {
  const channels = ops.channels(x);
  let s = ops.spatialMean(x);
  s = ops.activate(ops.conv2d('se_reduce', s, { filters: reduced, kernel: 1, bias: true }));
  s = ops.sigmoid(ops.conv2d('se_expand', s, { filters: channels, kernel: 1, bias: true }));
  return ops.multiply(x, s);
}
