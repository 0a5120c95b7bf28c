import { EffnetError } from '../errors.js';

/** Bounds and optionality for a numeric field. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Require a whole number. */
  integer?: boolean;
  /** Exclusive lower bound. */
  above?: number;
}

/**
 * Reads fields out of untrusted JSON with one-line errors that name the file, the field path,
 * and the expected and actual values. Shared by every config and metadata reader.
 */
export class FieldChecker {
  /**
   * @param file file or URL the object came from (named in errors).
   * @param code error code of thrown errors.
   */
  constructor(
    readonly file: string | undefined,
    readonly code = 'INVALID_CONFIG',
  ) {}

  /** Throws an {@link EffnetError} about `field`. */
  fail(field: string, message: string, expected?: unknown, actual?: unknown): never {
    const details: { file?: string; field: string; expected?: unknown; actual?: unknown } = { field };
    if (this.file) details.file = this.file;
    if (expected !== undefined || actual !== undefined) {
      details.expected = expected;
      details.actual = actual === undefined ? 'nothing' : actual;
    }
    throw new EffnetError(this.code, message, details);
  }

  /** `value` as a plain object. */
  object(value: unknown, field: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'must be an object', 'an object', describe(value));
    }
    return value as Record<string, unknown>;
  }

  /** `value` as an array. */
  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array', 'an array', describe(value));
    return value;
  }

  /** `value` as a finite number within `rule`. */
  number(value: unknown, field: string, rule: NumberRule = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(field, 'must be a number', rule.integer ? 'an integer' : 'a number', describe(value));
    }
    if (rule.integer && !Number.isInteger(value)) this.fail(field, 'must be a whole number', 'an integer', value);
    if (rule.min !== undefined && value < rule.min) this.fail(field, 'is too small', `>= ${rule.min}`, value);
    if (rule.above !== undefined && value <= rule.above) this.fail(field, 'is too small', `> ${rule.above}`, value);
    if (rule.max !== undefined && value > rule.max) this.fail(field, 'is too large', `<= ${rule.max}`, value);
    return value;
  }

  /** An integer within `rule`. */
  int(value: unknown, field: string, rule: NumberRule = {}): number {
    return this.number(value, field, { ...rule, integer: true });
  }

  /** A boolean. */
  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false', 'a boolean', describe(value));
    return value;
  }

  /** A non-empty string. */
  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(field, 'must be a non-empty string', 'a string', describe(value));
    return value;
  }

  /** One of the allowed strings. */
  oneOf<S extends string>(value: unknown, field: string, allowed: readonly S[]): S {
    if (typeof value !== 'string' || !allowed.includes(value as S)) {
      this.fail(field, 'has an unsupported value', `one of ${allowed.join(', ')}`, describe(value));
    }
    return value as S;
  }

  /** Rejects keys of `obj` that are not in `known` (catches typos such as `widht`). */
  onlyKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        this.fail(prefix ? `${prefix}.${key}` : key, 'is not a known field', `one of ${known.join(', ')}`, key);
      }
    }
  }
}

/** A short description of any JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return String(value);
}
