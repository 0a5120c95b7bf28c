import { EffnetError } from '../errors.js';

/** Options of {@link readInputFile}. */
export interface InputFileOptions {
  /** What the file is, for the not-found message (default `file`): `checkpoint file not found`. */
  what?: string;
  /** Largest size read, in bytes; a larger file is refused before it is read. */
  maxBytes?: number;
  /** Error code of a refusal (default `NOT_A_FILE`; a missing file is `NOT_FOUND`). */
  code?: string;
}

/**
 * Reads a file named by a user (Node). Refuses, with one line naming it, a missing file, anything
 * that is not a regular file (a folder, or a device or pipe such as `/dev/zero`, which would be
 * read without end) and a file larger than `maxBytes`, all before reading a byte.
 */
export async function readInputFile(file: string, options: InputFileOptions = {}): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const code = options.code ?? 'NOT_A_FILE';
  const st = await fs.stat(file).catch(() => undefined);
  if (!st) throw new EffnetError('NOT_FOUND', `${options.what ?? 'file'} not found`, { file });
  if (!st.isFile()) {
    throw new EffnetError(code, 'is not a regular file', { file, expected: 'a file', actual: st.isDirectory() ? 'a folder' : 'a device, pipe or socket' });
  }
  if (options.maxBytes !== undefined && st.size > options.maxBytes) {
    throw new EffnetError(code, 'is larger than effnet reads', { file, expected: `at most ${options.maxBytes} bytes`, actual: `${st.size} bytes` });
  }
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw new EffnetError(code, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
}
