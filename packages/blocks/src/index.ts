/**
 * @effnet/blocks: MBConv, Fused-MBConv, squeeze-excitation and stochastic depth as block plugins
 * for the effnet registry.
 * @packageDocumentation
 */
export { mbconvBlock } from './mbconv.js';
export { fusedMbconvBlock } from './fused-mbconv.js';
export { seChannels, squeezeExcite } from './squeeze-excite.js';
export { closeResidual, hasResidual } from './residual.js';
export { validateConvStage } from './validate-stage.js';
export { builtinBlocks, registerBlocks } from './register.js';
