import { EffnetError } from '@effnet/core';

/** One decoded block string, e.g. `r2_k3_s1_e1_i24_o24_c1`. */
export interface BlockArgs {
  /** `r`: how many times the block repeats. */
  repeats: number;
  /** `k`: kernel size. */
  kernel: number;
  /** `s`: stride of the first block of the stage (`s2`, or EfficientNet V1's per-axis `s22`). */
  stride: number;
  /** `e`: expansion ratio. */
  expandRatio: number;
  /** `i`: input channels (before width scaling). */
  inChannels: number;
  /** `o`: output channels (before width scaling). */
  outChannels: number;
  /** `se`: squeeze-excitation ratio (absent = no SE). */
  seRatio?: number;
  /** `c`: 1 = Fused-MBConv, 0 = MBConv (default 0). */
  fused: boolean;
}

const KEYS: Record<string, string> = {
  r: 'repeats', k: 'kernel', s: 'stride', e: 'expandRatio', i: 'inChannels', o: 'outChannels', se: 'seRatio', c: 'fused', f: 'ignored',
};

/**
 * Decodes the official block-string encoding: tokens split on `_`, each a key and a number
 * (`r` repeats, `k` kernel, `s` stride, `e` expand ratio, `i`/`o` in/out channels, `se` SE
 * ratio, `c` conv type 1 = fused; `f` is accepted and ignored, as the official decoder does).
 * EfficientNet V1's strings give the stride per axis (`s11`, `s22`); both digits must agree.
 */
export function decodeBlockString(text: string, field = 'block'): BlockArgs {
  const fail = (message: string, expected: unknown, actual: unknown): never => {
    throw new EffnetError('INVALID_CONFIG', message, { field, expected, actual });
  };
  if (typeof text !== 'string' || text.length === 0) fail('is not a block string', 'like "r2_k3_s1_e1_i24_o24_c1"', text);
  const values: Record<string, number> = {};
  let strideText = '';
  for (const token of text.split('_')) {
    const m = /^([a-z]+)(\d+(?:\.\d+)?)$/.exec(token);
    if (!m) fail(`has a malformed token "${token}"`, 'key + number, e.g. "k3" or "se0.25"', token);
    const [, key, num] = m!;
    if (!(key! in KEYS)) fail(`has an unknown key "${key}"`, `one of ${Object.keys(KEYS).join(', ')}`, key);
    if (key! in values) fail(`repeats the key "${key}"`, 'each key once', text);
    values[key!] = Number(num);
    if (key === 's') strideText = num!;
  }
  for (const key of ['r', 'k', 's', 'e', 'i', 'o']) {
    if (!(key in values)) fail(`lacks "${key}" (${KEYS[key]})`, `a "${key}" token`, text);
  }
  const int = (key: string, min: number) => {
    const v = values[key]!;
    if (!Number.isInteger(v) || v < min) fail(`has a bad ${KEYS[key]}`, `an integer >= ${min}`, `${key}${v}`);
    return v;
  };
  const args: BlockArgs = {
    repeats: int('r', 1),
    kernel: int('k', 1),
    stride: stride(strideText, fail),
    expandRatio: values.e!,
    inChannels: int('i', 1),
    outChannels: int('o', 1),
    fused: (values.c ?? 0) === 1,
  };
  if (args.expandRatio <= 0) fail('has a bad expandRatio', '> 0', `e${args.expandRatio}`);
  if (values.c !== undefined && values.c !== 0 && values.c !== 1) fail('has a bad conv type', 'c0 or c1', `c${values.c}`);
  if (values.se !== undefined) {
    if (values.se <= 0 || values.se > 1) fail('has a bad SE ratio', '0 < se <= 1', `se${values.se}`);
    args.seRatio = values.se;
  }
  return args;
}

/** The stride of an `s` token: `2`, or V1's per-axis `22` (anisotropic strides such as `12` are refused). */
function stride(text: string, fail: (message: string, expected: unknown, actual: unknown) => never): number {
  const perAxis = /^([1-9])([1-9])$/.exec(text);
  if (perAxis) {
    if (perAxis[1] !== perAxis[2]) fail('has different strides per axis', 'equal strides, e.g. "s22"', `s${text}`);
    return Number(perAxis[1]);
  }
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) fail('has a bad stride', 'an integer >= 1', `s${text}`);
  return v;
}

/** Encodes block arguments back into the official string form. */
export function encodeBlockString(a: BlockArgs): string {
  const parts = [`r${a.repeats}`, `k${a.kernel}`, `s${a.stride}`, `e${a.expandRatio}`, `i${a.inChannels}`, `o${a.outChannels}`];
  if (a.seRatio !== undefined) parts.push(`se${a.seRatio}`);
  if (a.fused) parts.push('c1');
  return parts.join('_');
}
