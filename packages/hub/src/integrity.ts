import { createHash } from 'node:crypto';
import { EffnetError } from '@effnet/core';

const ALGORITHMS = ['sha512', 'sha384', 'sha256'] as const;

/** The Subresource Integrity string (`sha512-<base64>`) of some bytes, as npm writes `dist.integrity`. */
export function integrityOf(bytes: Uint8Array, algorithm: (typeof ALGORITHMS)[number] = 'sha512'): string {
  return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
}

/**
 * Checks bytes against an SRI string such as a registry's `dist.integrity`, using its strongest
 * sha-2 hash. Throws when the hashes differ or when the string holds no sha-2 hash to check.
 */
export function verifyIntegrity(bytes: Uint8Array, integrity: unknown, file: string): void {
  const hashes = typeof integrity === 'string' ? integrity.trim().split(/\s+/) : [];
  for (const algorithm of ALGORITHMS) {
    const expected = hashes.find((h) => h.startsWith(`${algorithm}-`));
    if (!expected) continue;
    const actual = integrityOf(bytes, algorithm);
    if (actual !== expected.split('?')[0]) {
      throw new EffnetError('INTEGRITY_MISMATCH', 'does not match the integrity the registry lists; refusing to use it', { file, field: 'dist.integrity', expected, actual });
    }
    return;
  }
  throw new EffnetError('INTEGRITY_MISSING', 'has no sha-2 integrity hash to check the tarball against', { file, field: 'dist.integrity', expected: 'sha512-...', actual: integrity ?? 'nothing' });
}
