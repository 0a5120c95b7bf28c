import { describeArchitecture, getRegistry, resolveArchitecture } from '@effnet/core';
import { formatTable, grouped, humanCount, type Column } from '../format-table.js';

/** One row of `effnet models`. */
export interface VariantRow {
  name: string;
  description: string;
  /** Trainable parameters with 1000 classes. */
  params: number;
  nonTrainableParams: number;
  /** MACs for one image at `evalSize`. */
  macs: number;
  trainSize: number;
  evalSize: number;
  numFeatures: number;
  blocks: number;
}

/** Every registered variant (1000 classes) with parameters and MACs at its evaluation size. */
export function listModelRows(pattern?: string): VariantRow[] {
  const variants = pattern ? getRegistry('variant').list(pattern) : getRegistry('variant').list();
  return variants.map((v) => {
    const spec = resolveArchitecture(v.name, { numClasses: 1000 });
    const s = describeArchitecture(spec, spec.evalSize);
    return {
      name: v.name,
      description: v.description ?? '',
      params: s.params,
      nonTrainableParams: s.nonTrainableParams,
      macs: s.macs,
      trainSize: spec.trainSize,
      evalSize: spec.evalSize,
      numFeatures: s.numFeatures,
      blocks: s.blocks,
    };
  });
}

/** The text table of `effnet models`, with optional extra columns. */
export function formatModelRows<R extends VariantRow>(rows: R[], extra: Column<R>[] = []): string {
  return formatTable(rows, [
    { header: 'variant', value: (r) => r.name, right: false },
    { header: 'params', value: (r) => grouped(r.params) },
    { header: 'MACs @eval', value: (r) => humanCount(r.macs) },
    { header: 'train', value: (r) => r.trainSize },
    { header: 'eval', value: (r) => r.evalSize },
    { header: 'blocks', value: (r) => r.blocks },
    { header: 'features', value: (r) => r.numFeatures },
    ...extra,
  ]);
}
