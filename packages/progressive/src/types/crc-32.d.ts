/** Types of crc-32's CRC-32C entry point (the package types only its CRC-32 one). */
declare module 'crc-32/crc32c.js' {
  /** CRC-32C of bytes, as a signed 32-bit integer. */
  export function buf(data: Uint8Array | number[], seed?: number): number;
  /** CRC-32C of a string's UTF-8 bytes, as a signed 32-bit integer. */
  export function str(data: string, seed?: number): number;
  const crc32c: { buf: typeof buf; str: typeof str };
  export default crc32c;
}
