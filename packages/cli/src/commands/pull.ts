import { cp } from 'node:fs/promises';
import path from 'node:path';
import { writeDirAtomic } from '@effnet/core';
import { mayReplaceVariantDir, pullVariant, type PulledVariant, type PullOptions } from '@effnet/hub';

/** Options of `effnet pull`. */
export interface PullCommandOptions extends PullOptions {
  /** Copy the package into this folder (else it stays in the cache). */
  out?: string;
}

/** Fetches a variant package (checking its integrity) and optionally copies it into a folder. */
export async function pullCommand(spec: string, options: PullCommandOptions): Promise<PulledVariant> {
  const { out, ...pullOptions } = options;
  const pulled = await pullVariant(spec, pullOptions);
  if (!out) return pulled;
  await writeDirAtomic(
    out,
    (tmp) => cp(pulled.dir, tmp, { recursive: true }),
    mayReplaceVariantDir,
  );
  return { ...pulled, dir: path.resolve(out) };
}
