import { EffnetError, FieldChecker } from '@effnet/core';
import semver from 'semver';

const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Checks an npm package name (`@scope/name` or `name`, lowercase, URL-safe, at most 214 characters). */
export function checkPackageName(name: string, c: FieldChecker = new FieldChecker(undefined, 'BAD_PACKAGE_NAME'), field = 'name'): string {
  if (name.length > 214 || !NAME.test(name)) {
    c.fail(field, 'is not a valid npm package name', '@scope/name in lowercase letters, digits, - . _ ~', name);
  }
  return name;
}

/** A package name with the version range or dist-tag asked for. */
export interface PackageSpec {
  name: string;
  /** A semver range (`^1.2.0`, `1.x`, `1.2.3`) or a dist-tag (`latest`, `beta`). */
  range: string;
  /** True when `range` is a dist-tag rather than a semver range. */
  isTag: boolean;
}

/** Splits `@scope/name@^1.0.0` (or `name@beta`, or a bare name meaning `latest`) into name and range. */
export function parsePackageSpec(spec: string): PackageSpec {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? 'latest' : spec.slice(at + 1).trim();
  checkPackageName(name, new FieldChecker(undefined, 'BAD_PACKAGE_NAME'), spec);
  if (range === '') throw new EffnetError('BAD_PACKAGE_NAME', 'has an empty version range', { field: spec, expected: 'name@range', actual: spec });
  const isRange = semver.validRange(range) !== null;
  if (!isRange && !/^[a-z][a-z0-9-._]*$/i.test(range)) {
    throw new EffnetError('BAD_PACKAGE_NAME', 'is neither a semver range nor a dist-tag', { field: spec, expected: 'e.g. ^1.0.0, 1.2.3 or latest', actual: range });
  }
  return { name, range, isTag: !isRange };
}
