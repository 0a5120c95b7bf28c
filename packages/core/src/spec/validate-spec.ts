import type { ActivationName, ArchitectureSpec, Preprocessing, StageSpec } from './architecture.js';
import { FieldChecker } from './field-checker.js';

const ACTIVATIONS: readonly ActivationName[] = ['silu', 'relu', 'relu6', 'gelu', 'hard_swish', 'linear'];

/**
 * Bounds of an architecture, checked before anything is built so that a config cannot ask for
 * hours of work or gigabytes (the largest official variant, V2-XL, is well inside them).
 */
export const ARCHITECTURE_LIMITS = {
  /** Blocks of one stage. */
  repeats: 1000,
  /** Blocks of the whole network. */
  blocks: 4096,
  /** Channels of any layer. */
  channels: 65536,
  /** Convolution kernel size. */
  kernel: 31,
  /** Classifier outputs. */
  classes: 1_000_000,
  /** Training, evaluation and preprocessing image size. */
  imageSize: 4096,
} as const;
const L = ARCHITECTURE_LIMITS;
const SPEC_KEYS = [
  'name', 'stem', 'stages', 'headChannels', 'numClasses', 'dropout', 'dropPathRate', 'activation',
  'bnEpsilon', 'bnMomentum', 'trainSize', 'evalSize', 'preprocessing',
] as const;

/**
 * Checks an untrusted object (a saved model's topology, a user's resolved spec) and returns it
 * as an {@link ArchitectureSpec}; throws naming the first bad field.
 */
export function validateArchitectureSpec(value: unknown, file?: string): ArchitectureSpec {
  const c = new FieldChecker(file, 'INVALID_SPEC');
  const o = c.object(value, 'spec');
  c.onlyKeys(o, SPEC_KEYS, '');
  const stem = c.object(o.stem, 'stem');
  const stages = c.array(o.stages, 'stages');
  if (stages.length === 0) c.fail('stages', 'must list at least one stage', 'a non-empty array', 'an empty array');
  const spec: ArchitectureSpec = {
    name: c.string(o.name, 'name'),
    stem: {
      channels: c.int(stem.channels, 'stem.channels', { min: 1, max: L.channels }),
      kernel: c.int(stem.kernel, 'stem.kernel', { min: 1, max: L.kernel }),
      stride: c.int(stem.stride, 'stem.stride', { min: 1, max: L.kernel }),
    },
    stages: stages.map((s, i) => validateStage(c, s, `stages[${i}]`)),
    headChannels: c.int(o.headChannels, 'headChannels', { min: 1, max: L.channels }),
    numClasses: c.int(o.numClasses, 'numClasses', { min: 0, max: L.classes }),
    dropout: c.number(o.dropout, 'dropout', { min: 0, max: 0.999 }),
    dropPathRate: c.number(o.dropPathRate, 'dropPathRate', { min: 0, max: 0.999 }),
    activation: c.oneOf(o.activation, 'activation', ACTIVATIONS),
    bnEpsilon: c.number(o.bnEpsilon, 'bnEpsilon', { above: 0 }),
    bnMomentum: c.number(o.bnMomentum, 'bnMomentum', { min: 0, max: 1 }),
    trainSize: c.int(o.trainSize, 'trainSize', { min: 8, max: L.imageSize }),
    evalSize: c.int(o.evalSize, 'evalSize', { min: 8, max: L.imageSize }),
    preprocessing: validatePreprocessing(c, o.preprocessing, 'preprocessing'),
  };
  const blocks = spec.stages.reduce((n, st) => n + st.repeats, 0);
  if (blocks > L.blocks) c.fail('stages', 'have too many blocks in all', `at most ${L.blocks}`, blocks);
  for (let i = 1; i < spec.stages.length; i++) {
    const prev = spec.stages[i - 1]!;
    const cur = spec.stages[i]!;
    if (cur.inChannels !== prev.outChannels) {
      c.fail(`stages[${i}].inChannels`, 'must equal the previous stage\'s outChannels', prev.outChannels, cur.inChannels);
    }
  }
  if (spec.stages[0]!.inChannels !== spec.stem.channels) {
    c.fail('stages[0].inChannels', 'must equal stem.channels', spec.stem.channels, spec.stages[0]!.inChannels);
  }
  return spec;
}

/** Checks one stage object; errors name `at` (e.g. `stages[2]`). */
export function validateStage(c: FieldChecker, value: unknown, at: string): StageSpec {
  const s = c.object(value, at);
  c.onlyKeys(s, ['type', 'repeats', 'kernel', 'stride', 'expandRatio', 'inChannels', 'outChannels', 'seRatio', 'options'], at);
  const stage: StageSpec = {
    type: c.string(s.type, `${at}.type`),
    repeats: c.int(s.repeats, `${at}.repeats`, { min: 1, max: L.repeats }),
    kernel: c.int(s.kernel, `${at}.kernel`, { min: 1, max: L.kernel }),
    stride: c.int(s.stride, `${at}.stride`, { min: 1, max: L.kernel }),
    expandRatio: c.number(s.expandRatio, `${at}.expandRatio`, { above: 0, max: 64 }),
    inChannels: c.int(s.inChannels, `${at}.inChannels`, { min: 1, max: L.channels }),
    outChannels: c.int(s.outChannels, `${at}.outChannels`, { min: 1, max: L.channels }),
  };
  const expanded = stage.inChannels * stage.expandRatio;
  if (expanded > L.channels) c.fail(`${at}.expandRatio`, 'expands past the channel limit', `inChannels x expandRatio <= ${L.channels}`, expanded);
  if (s.seRatio !== undefined && s.seRatio !== null) stage.seRatio = c.number(s.seRatio, `${at}.seRatio`, { min: 0, max: 1 });
  if (s.options !== undefined) stage.options = c.object(s.options, `${at}.options`);
  return stage;
}

/** Checks a {@link Preprocessing} object. */
export function validatePreprocessing(c: FieldChecker, value: unknown, at: string): Preprocessing {
  const p = c.object(value, at);
  const triple = (v: unknown, f: string): [number, number, number] => {
    const a = c.array(v, f);
    if (a.length !== 3) c.fail(f, 'must have one value per RGB channel', 3, a.length);
    return [c.number(a[0], `${f}[0]`), c.number(a[1], `${f}[1]`), c.number(a[2], `${f}[2]`)];
  };
  const out: Preprocessing = {
    scale: c.number(p.scale, `${at}.scale`),
    offset: c.number(p.offset, `${at}.offset`),
    mean: triple(p.mean, `${at}.mean`),
    std: triple(p.std, `${at}.std`),
  };
  out.std.forEach((v, i) => v <= 0 && c.fail(`${at}.std[${i}]`, 'must be positive', '> 0', v));
  if (p.size !== undefined) out.size = c.int(p.size, `${at}.size`, { min: 8, max: L.imageSize });
  if (p.interpolation !== undefined) out.interpolation = c.oneOf(p.interpolation, `${at}.interpolation`, ['bilinear', 'nearest'] as const);
  if (p.source !== undefined) out.source = c.string(p.source, `${at}.source`);
  return out;
}
