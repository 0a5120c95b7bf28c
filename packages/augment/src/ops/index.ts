/** The image operations RandAugment is made of, each batched with one argument per image. */
export { autocontrast } from './autocontrast.js';
export { blend } from './blend.js';
export { brightness, color, contrast, sharpness, smooth } from './enhance.js';
export { cutout, type CutoutBox } from './cutout.js';
export { equalize } from './equalize.js';
export { rotate, rotationMatrix, shearX, shearY, translateX, translateY } from './geometry.js';
export { affineTransform, transformHandlesBatches, type AffineMatrix } from './affine.js';
export { grayscale } from './grayscale.js';
export { channelHistograms, exclusiveCumsum } from './histogram.js';
export { fillWhere, perImage, toPixels } from './per-image.js';
export { invert, posterize, solarize, solarizeAdd } from './point-ops.js';
