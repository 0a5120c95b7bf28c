import type { LayerOps } from '../model/layer-ops.js';
import type { NamedPlugin } from '../registry/plugin-registry.js';
import type { BlockSpec, StageSpec } from '../spec/architecture.js';

/**
 * A block type (`mbconv`, `fused_mbconv`, or your own). Architectures name block types per stage;
 * the builder calls `forward` once per block instance, on shapes to declare weights and count
 * MACs, and on tensors to run. All hooks but `forward` are optional.
 */
export interface BlockPlugin extends NamedPlugin {
  /**
   * The block's computation, written with {@link LayerOps} so that it runs on any value type.
   * Layer names become weight names under the block's scope (`blocks/<stage>/<index>/<layer>`).
   */
  forward<T>(ops: LayerOps<T>, x: T, block: BlockSpec): T;
  /** Rejects a stage this block type cannot build (throw an EffnetError naming the field). */
  validateStage?(stage: StageSpec, field: string): void;
  /** Short operator name for tables, e.g. `MBConv6 k3 SE0.25`. */
  label?(block: BlockSpec): string;
  /** Channels of the squeeze-excitation bottleneck, for tables; undefined when there is none. */
  seChannels?(block: BlockSpec): number | undefined;
  /** Maps this block's layer names to timm module names (for importing timm checkpoints). */
  timmLayerNames?(block: BlockSpec): Record<string, string>;
  /** Maps this block's layer names to Keras layer-name suffixes (`expand_conv`, `dwconv2`, ...). */
  kerasLayerNames?(block: BlockSpec): Record<string, string>;
}
