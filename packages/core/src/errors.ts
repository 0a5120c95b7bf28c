/** Where an error comes from: a file, a field in it, what was expected and what was found. */
export interface EffnetErrorDetails {
  /** The file (or URL) being read or written, when there is one. */
  file?: string;
  /** The field, tensor or option at fault, e.g. `stages[2].kernel` or `blocks.3.0.conv_dw.weight`. */
  field?: string;
  /** What was expected, in words or as a value. */
  expected?: unknown;
  /** What was found. */
  actual?: unknown;
}

/**
 * The one error type effnet throws for bad input. Its message is a single line that names the
 * file, the field, and the expected and actual values, so a CLI can print it as it is.
 */
export class EffnetError extends Error {
  /** A stable, machine-readable code such as `UNKNOWN_VARIANT` or `BAD_SAFETENSORS`. */
  readonly code: string;
  readonly details: EffnetErrorDetails;

  constructor(code: string, message: string, details: EffnetErrorDetails = {}) {
    super(formatMessage(message, details));
    this.name = 'EffnetError';
    this.code = code;
    this.details = details;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function formatMessage(message: string, d: EffnetErrorDetails): string {
  const parts: string[] = [];
  if (d.file) parts.push(d.file);
  if (d.field) parts.push(d.field);
  let text = parts.length ? `${parts.join(': ')}: ${message}` : message;
  if (d.expected !== undefined || d.actual !== undefined) {
    text += ` (expected ${show(d.expected)}, got ${show(d.actual)})`;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

/** True when `e` is an {@link EffnetError}, also across ESM and CJS copies of this package. */
export function isEffnetError(e: unknown): e is EffnetError {
  return e instanceof Error && e.name === 'EffnetError' && typeof (e as EffnetError).code === 'string';
}
