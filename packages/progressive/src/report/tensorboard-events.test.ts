import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunEvents } from './run-events.js';
import { encodeEvent, maskedCrc32c, tfRecord } from './tensorboard-events.js';
import { sampleRun } from './test-support/sample-run.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-tb-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Splits a TFRecord file into its records, checking both CRCs of each. */
function records(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = Number(bytes.readBigUInt64LE(at));
    expect(bytes.readUInt32LE(at + 8)).toBe(maskedCrc32c(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + length);
    expect(bytes.readUInt32LE(at + 12 + length)).toBe(maskedCrc32c(data));
    out.push(data);
    at += 16 + length;
  }
  return out;
}

describe('TensorBoard event files', () => {
  it('CRC-32C is the Castagnoli checksum, masked as TFRecord masks it', () => {
    const check = Buffer.from('123456789');
    const crc = 0xe3069283; // the standard CRC-32C check value
    expect(maskedCrc32c(check)).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });

  it('encodes an Event with a scalar as protocol buffers do', () => {
    const bytes = encodeEvent(1.5, 3, { values: [{ tag: 'a', scalar: 2 }] });
    // wall_time (1, double) = 1.5; step (2, varint) = 3; summary (5) { value (1) { tag (1) = "a", simple_value (2, float) = 2 } }
    expect([...bytes]).toEqual([0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0x03, 0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x61, 0x15, 0, 0, 0, 0x40]);
    const header = encodeEvent(0, 0, { fileVersion: 'brain.Event:2' });
    expect(Buffer.from(header.subarray(11)).toString()).toBe('\x1a\x0dbrain.Event:2');
    const framed = Buffer.from(tfRecord(bytes));
    expect(framed.length).toBe(bytes.length + 16);
    expect(records(framed)[0]).toEqual(Buffer.from(bytes));
  });

  it('writes train, validation and test runs laid out as Keras lays them out', async () => {
    const r = sampleRun();
    const dir = path.join(tmp, 'tensorboard');
    const files = await writeRunEvents(dir, { steps: r.steps, epochs: r.epochs, startTime: 1_700_000_000, samples: r.evaluation!.samples, classNames: r.evaluation!.classNames });
    expect(files.map((f) => path.relative(dir, path.dirname(f)))).toEqual(['train', 'validation', 'test']);
    for (const f of files) expect(path.basename(f)).toBe('events.out.tfevents.1700000000.effnet');
    expect(await readdir(path.join(dir, 'train'))).toHaveLength(1);
    const train = records(await readFile(files[0]!));
    expect(train).toHaveLength(1 + 40 + 4); // header, steps, epochs
    expect(train[1]!.includes(Buffer.from('batch_loss'))).toBe(true);
    expect(train[41]!.includes(Buffer.from('epoch_accuracy'))).toBe(true);
    const test = records(await readFile(files[2]!));
    expect(test).toHaveLength(1 + 4 + 1); // header, epochs, sample images
    expect(test[5]!.includes(Buffer.from('samples/1: cat -> dog'))).toBe(true);
    expect(test[5]!.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(true); // PNG signature
  });
});
