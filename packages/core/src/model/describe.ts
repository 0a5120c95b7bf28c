import type { ArchitectureSpec } from '../spec/architecture.js';
import type { WeightDecl } from './layer-ops.js';
import { MeterOps } from './meter-ops.js';
import { planNetwork, runNetwork, type NetworkPlan } from './network-plan.js';

/** Parameter and MAC counts of one part of a network. */
export interface PartSummary {
  /** Trainable parameters (BatchNorm moving statistics excluded). */
  params: number;
  /** BatchNorm moving statistics. */
  nonTrainableParams: number;
  /** Conv and dense multiply-accumulates for one image. */
  macs: number;
}

/** One stage of `effnet info`. */
export interface StageSummary extends PartSummary {
  stage: number;
  type: string;
  label: string;
  repeats: number;
  kernel: number;
  stride: number;
  expandRatio: number;
  inChannels: number;
  outChannels: number;
  /** SE bottleneck channels of the first and of the later blocks (they differ when in != out). */
  seChannels: number[];
  /** Output height and width. */
  outputSize: [number, number];
}

/** What `effnet info` reports. */
export interface ArchitectureSummary extends PartSummary {
  name: string;
  resolution: [number, number];
  numClasses: number;
  numFeatures: number;
  stem: PartSummary & { channels: number };
  stages: StageSummary[];
  head: PartSummary & { channels: number };
  classifier: PartSummary;
  /** Total number of blocks. */
  blocks: number;
}

/** The weights a network declares, in model order. */
export function declareWeights(plan: NetworkPlan): WeightDecl[] {
  const meter = new MeterOps();
  runNetwork(meter, { shape: [1, 64, 64, 3] }, plan);
  return meter.log.weights;
}

function count(weights: WeightDecl[], macs: { layer: string; macs: number }[], prefix?: string): PartSummary {
  const inPart = (name: string) => prefix === undefined || name === prefix || name.startsWith(`${prefix}/`);
  let params = 0;
  let nonTrainableParams = 0;
  for (const w of weights) {
    if (!inPart(w.layer)) continue;
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.trainable) params += n;
    else nonTrainableParams += n;
  }
  const m = macs.filter((r) => inPart(r.layer)).reduce((a, r) => a + r.macs, 0);
  return { params, nonTrainableParams, macs: m };
}

/**
 * Per-stage parameters and MACs of an architecture for one image of `resolution` (a size or
 * [height, width]), computed from the layers the blocks declare, without building tensors.
 */
export function describeArchitecture(spec: ArchitectureSpec, resolution: number | [number, number] = spec.evalSize): ArchitectureSummary {
  const [h, w] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  const plan = planNetwork(spec);
  const meter = new MeterOps();
  const stageSizes: [number, number][] = [];
  runNetwork(meter, { shape: [1, h, w, 3] }, plan, 'logits', (block, out) => {
    stageSizes[block.stage] = [out.shape[1]!, out.shape[2]!];
  });
  const { weights, macs } = meter.log;

  const stages: StageSummary[] = spec.stages.map((stage, s) => {
    const blocks = plan.blocks.map((b, i) => ({ b, p: plan.plugins[i]! })).filter(({ b }) => b.stage === s);
    const first = blocks[0]!;
    const se = [...new Set(blocks.map(({ b, p }) => p.seChannels?.(b)).filter((v): v is number => v !== undefined))];
    return {
      stage: s,
      type: stage.type,
      label: first.p.label?.(first.b) ?? stage.type,
      repeats: stage.repeats,
      kernel: stage.kernel,
      stride: stage.stride,
      expandRatio: stage.expandRatio,
      inChannels: stage.inChannels,
      outChannels: stage.outChannels,
      seChannels: se,
      outputSize: stageSizes[s]!,
      ...count(weights, macs, `blocks/${s}`),
    };
  });
  const total = count(weights, macs);
  return {
    name: spec.name,
    resolution: [h, w],
    numClasses: spec.numClasses,
    numFeatures: spec.headChannels,
    ...total,
    stem: { channels: spec.stem.channels, ...count(weights, macs, 'stem') },
    stages,
    head: { channels: spec.headChannels, ...count(weights, macs, 'head') },
    classifier: count(weights, macs, 'classifier'),
    blocks: plan.blocks.length,
  };
}
