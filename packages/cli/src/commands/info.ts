import { ARCHITECTURE_LIMITS, describeArchitecture, EffnetError, resolveArchitecture, type ArchitectureSummary } from '@effnet/core';
import { formatTable, grouped, humanCount } from '../format-table.js';
import type { ArchArgument } from '../read-arch.js';

/** What `effnet info --json` prints. */
export interface InfoReport extends ArchitectureSummary {
  trainSize: number;
  evalSize: number;
  dropout: number;
}

/** Refuses `--classes` beyond the architecture limit, naming the option. */
export function checkClasses(classes: number | undefined): void {
  if (classes !== undefined && classes > ARCHITECTURE_LIMITS.classes) {
    throw new EffnetError('BAD_OPTION', 'is more classes than a classifier may have', { field: '--classes', expected: `at most ${ARCHITECTURE_LIMITS.classes}`, actual: classes });
  }
}

/** Per-stage table and totals of an architecture at a resolution (default: its eval size). */
export function infoReport(arch: ArchArgument, options: { classes?: number; resolution?: [number, number] } = {}): InfoReport {
  checkClasses(options.classes);
  const spec = resolveArchitecture(arch.source, {
    ...(options.classes !== undefined ? { numClasses: options.classes } : {}),
    ...(arch.file ? { file: arch.file } : {}),
  });
  const summary = describeArchitecture(spec, options.resolution ?? spec.evalSize);
  return { ...summary, trainSize: spec.trainSize, evalSize: spec.evalSize, dropout: spec.dropout };
}

/** The text form of {@link infoReport}. */
export function formatInfo(r: InfoReport): string {
  const rows = [
    { part: 'stem', op: 'Conv3x3 s2', rep: 1, k: 3, s: 2, e: '', io: `3 -> ${r.stem.channels}`, se: '', out: '', ...r.stem },
    ...r.stages.map((st) => ({
      part: `stage ${st.stage + 1}`,
      op: st.label,
      rep: st.repeats,
      k: st.kernel,
      s: st.stride,
      e: String(st.expandRatio),
      io: `${st.inChannels} -> ${st.outChannels}`,
      se: st.seChannels.length ? st.seChannels.join('/') : '-',
      out: `${st.outputSize[0]}x${st.outputSize[1]}`,
      ...st,
    })),
    { part: 'head', op: 'Conv1x1, pool', rep: 1, k: 1, s: 1, e: '', io: `${r.stages.at(-1)!.outChannels} -> ${r.head.channels}`, se: '', out: '1x1', ...r.head },
    ...(r.numClasses > 0 ? [{ part: 'classifier', op: 'Dense', rep: 1, k: '', s: '', e: '', io: `${r.head.channels} -> ${r.numClasses}`, se: '', out: '', ...r.classifier }] : []),
  ];
  const table = formatTable(rows, [
    { header: 'part', value: (x) => x.part, right: false },
    { header: 'operator', value: (x) => x.op, right: false },
    { header: 'repeats', value: (x) => x.rep, right: true },
    { header: 'k', value: (x) => x.k, right: true },
    { header: 'stride', value: (x) => x.s, right: true },
    { header: 'expand', value: (x) => x.e, right: true },
    { header: 'channels', value: (x) => x.io, right: true },
    { header: 'SE', value: (x) => x.se, right: true },
    { header: 'output', value: (x) => x.out, right: true },
    { header: 'params', value: (x) => grouped(x.params), right: true },
    { header: 'MACs', value: (x) => humanCount(x.macs), right: true },
  ]);
  return [
    `${r.name}: ${r.numClasses} classes, input ${r.resolution[0]}x${r.resolution[1]} (train ${r.trainSize}, eval ${r.evalSize}), dropout ${r.dropout}`,
    '',
    table,
    '',
    `params: ${grouped(r.params)} trainable + ${grouped(r.nonTrainableParams)} BatchNorm statistics`,
    `MACs:   ${grouped(r.macs)} (${humanCount(r.macs)}) per image at ${r.resolution[0]}x${r.resolution[1]}`,
  ].join('\n');
}
