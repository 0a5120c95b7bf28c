import crc32c from 'crc-32/crc32c.js';

/**
 * TensorBoard event files: the `Event` protocol buffers TensorBoard reads (`wall_time`, `step`,
 * a `Summary` of scalars or PNG images), framed as TFRecords (length, masked CRC-32C of the
 * length, data, masked CRC-32C of the data). Enough of the format for `tensorboard --logdir` to
 * show a run's scalars and sample images next to runs written by TensorFlow or Keras.
 */

/** Growable little-endian byte buffer with protobuf's varint and field encodings. */
class ProtoWriter {
  private bytes: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  private key(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.key(field, 0).varint(value);
  }

  /** A 64-bit (wire type 1) or 32-bit (wire type 5) little-endian float. */
  private fixed(field: number, value: number, bits: 32 | 64): this {
    const b = Buffer.alloc(bits / 8);
    if (bits === 64) b.writeDoubleLE(value);
    else b.writeFloatLE(value);
    this.key(field, bits === 64 ? 1 : 5);
    this.bytes.push(...b);
    return this;
  }

  double(field: number, value: number): this {
    return this.fixed(field, value, 64);
  }

  float(field: number, value: number): this {
    return this.fixed(field, value, 32);
  }

  bytesField(field: number, value: Uint8Array | string): this {
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.key(field, 2).varint(data.length);
    for (const x of data) this.bytes.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** TFRecord's masked CRC-32C. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c.buf(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Frames one record as TFRecord. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(16 + data.length);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** A PNG for an image summary. */
export interface SummaryImage {
  png: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
}

/** What one `Summary.Value` holds. */
export type SummaryValue = { tag: string; scalar: number } | { tag: string; image: SummaryImage };

/** Encodes an `Event` (wall time in seconds, step, and a summary or the file-version header). */
export function encodeEvent(wallTime: number, step: number, content: { fileVersion: string } | { values: SummaryValue[] }): Uint8Array {
  const event = new ProtoWriter().double(1, wallTime).int(2, step);
  if ('fileVersion' in content) return event.bytesField(3, content.fileVersion).finish();
  const summary = new ProtoWriter();
  for (const v of content.values) {
    const value = new ProtoWriter().bytesField(1, v.tag);
    if ('scalar' in v) value.float(2, v.scalar);
    else {
      const image = new ProtoWriter().int(1, v.image.height).int(2, v.image.width).int(3, v.image.channels).bytesField(4, v.image.png).finish();
      value.bytesField(4, image);
    }
    summary.bytesField(1, value.finish());
  }
  return event.bytesField(5, summary.finish()).finish();
}

/** One event for {@link writeEventFile}. */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  values: SummaryValue[];
}

/**
 * Writes a TensorBoard event file `events.out.tfevents.<seconds>.effnet` into `dir` (created if
 * missing), atomically: the file-version header, then every event in order. Returns its path.
 */
export async function writeEventFile(dir: string, events: TensorBoardEvent[], startTime = events[0]?.wallTime ?? Date.now() / 1000): Promise<string> {
  const path = await import('node:path');
  const { mkdir } = await import('node:fs/promises');
  const { writeFileAtomic } = await import('@effnet/core');
  await mkdir(dir, { recursive: true });
  const records = [tfRecord(encodeEvent(startTime, 0, { fileVersion: 'brain.Event:2' })), ...events.map((e) => tfRecord(encodeEvent(e.wallTime, e.step, { values: e.values })))];
  const file = path.join(dir, `events.out.tfevents.${Math.floor(startTime)}.effnet`);
  await writeFileAtomic(file, Buffer.concat(records));
  return file;
}
