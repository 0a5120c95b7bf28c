const encoder = new TextEncoder();

/**
 * A minimal protocol-buffers encoder: enough to write TensorFlow's GraphDef and SavedModel
 * messages field by field (varints, length-delimited bytes, strings, nested messages, packed
 * numbers). Fields are written in the order they are added.
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.scratch.length;
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.size += this.scratch.length;
    this.scratch = [];
  }

  private varint(value: number): void {
    if (!Number.isInteger(value)) throw new Error(`protobuf varint must be an integer, got ${value}`);
    if (value < 0) {
      // Negative int32/int64 values are written as 10-byte two's complement varints.
      let big = BigInt.asUintN(64, BigInt(value));
      for (let i = 0; i < 10; i++) {
        const byte = Number(big & 0x7fn);
        big >>= 7n;
        this.scratch.push(big > 0n ? byte | 0x80 : byte);
        if (big === 0n) break;
      }
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.scratch.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.scratch.push(v);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An int32 / int64 / enum / bool field. */
  int(field: number, value: number | boolean): this {
    this.tag(field, 0);
    this.varint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return this;
  }

  /** A float field (fixed 32 bits). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.flushScratch();
    if (value.length > 0) {
      this.chunks.push(value);
      this.size += value.length;
    }
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A nested message field. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated int field. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Float32Array(values);
    return this.bytes(field, new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  /** A map<string, message> field: one entry message per key. */
  mapEntry(field: number, key: string, value: (w: ProtoWriter) => void): this {
    return this.message(field, (e) => e.string(1, key).message(2, value));
  }

  /** The encoded message. */
  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [out];
    return out;
  }
}
