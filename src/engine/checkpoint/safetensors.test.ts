import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../testing/tinyCheckpoint';
import { f32ToBf16, f32ToF16, f16ToF32, bf16ToF32 } from './dtype';
import { CheckpointError } from './errors';
import { parseSafetensors } from './safetensors';

/** A safetensors file with an arbitrary header (object or raw text) and `dataLength` zero bytes of data. */
function rawFile(header: unknown, dataLength: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function expectError(action: () => unknown, ...fragments: string[]): CheckpointError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CheckpointError);
  const error = caught as CheckpointError;
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

describe('parseSafetensors round-trip', () => {
  const tensors = {
    'a.weight': { shape: [2, 3], data: new Float32Array([0, 1, -2, 0.1, 1e-3, -7.25]) },
    'b.bias': { shape: [3], data: new Float32Array([3.14159, -0.5, 1024]) },
    scalar: { shape: [], data: new Float32Array([42]) },
    empty: { shape: [0, 4], data: new Float32Array(0) },
  };

  it('F32 is exact', () => {
    const file = parseSafetensors(writeSafetensors(tensors, 'F32'), 'model.safetensors');
    expect([...file.entries.keys()]).toEqual(['a.weight', 'b.bias', 'scalar', 'empty']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.dataOffset % 8).toBe(0);
    for (const [name, t] of Object.entries(tensors)) {
      const got = file.getTensor(name);
      expect(got.shape).toEqual(t.shape);
      expect(Array.from(got.data)).toEqual(Array.from(t.data));
    }
  });

  it.each([
    ['F16', (v: number) => f16ToF32(f32ToF16(v))],
    ['BF16', (v: number) => bf16ToF32(f32ToBf16(v))],
  ] as const)('%s matches rounding each value', (dtype, round) => {
    const file = parseSafetensors(writeSafetensors(tensors, dtype), 'model.safetensors');
    expect(file.entries.get('a.weight')).toMatchObject({ dtype, shape: [2, 3], begin: 0, end: 12 });
    for (const [name, t] of Object.entries(tensors)) {
      expect(Array.from(file.getTensor(name).data)).toEqual(Array.from(t.data, round));
    }
  });

  it('accepts per-tensor dtypes and a file without metadata', () => {
    const bytes = writeSafetensors(
      { x: { shape: [2], data: new Float32Array([1, 2]), dtype: 'BF16' }, y: { shape: [1], data: new Float32Array([3]) } },
      'F32',
      null,
    );
    const file = parseSafetensors(bytes, 'f');
    expect(file.metadata).toBeNull();
    expect(file.entries.get('x')!.dtype).toBe('BF16');
    expect(Array.from(file.getTensor('y').data)).toEqual([3]);
  });

  it('works on a subarray of a larger buffer', () => {
    const bytes = writeSafetensors({ x: { shape: [2], data: new Float32Array([5, 6]) } });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Array.from(parseSafetensors(padded.subarray(3), 'f').getTensor('x').data)).toEqual([5, 6]);
  });
});

describe('parseSafetensors validation', () => {
  const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

  it('rejects a file shorter than 8 bytes', () => {
    const error = expectError(() => parseSafetensors(new Uint8Array(5), 'shard.safetensors'), 'shard.safetensors', 'shorter than');
    expect(error.file).toBe('shard.safetensors');
  });

  it('rejects a header length past the end of the file', () => {
    const bytes = rawFile({}, 0);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expectError(() => parseSafetensors(bytes, 'm.safetensors'), 'm.safetensors', 'header length 1000', 'past the end');
  });

  it('rejects an absurd header length', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    expectError(() => parseSafetensors(bytes, 'm.safetensors'), 'absurd');
  });

  it('rejects a header that is not JSON or not an object', () => {
    expectError(() => parseSafetensors(rawFile('{"a": ', 0), 'm.safetensors'), 'not valid UTF-8 JSON');
    expectError(() => parseSafetensors(rawFile('[1, 2]', 0), 'm.safetensors'), 'not a JSON object');
    const invalidUtf8 = rawFile('{}', 0);
    invalidUtf8[9] = 0xff;
    expectError(() => parseSafetensors(invalidUtf8, 'm.safetensors'), 'not valid UTF-8 JSON');
  });

  it('names a missing field', () => {
    expectError(() => parseSafetensors(rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, 4), 'm'), '"w"', 'missing "dtype"');
    expectError(() => parseSafetensors(rawFile({ w: { dtype: 'F32', data_offsets: [0, 4] } }, 4), 'm'), 'missing "shape"');
    expectError(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [1] } }, 4), 'm'), 'missing "data_offsets"');
    expectError(() => parseSafetensors(rawFile({ w: 3 }, 4), 'm'), 'not an object');
  });

  it('rejects unknown dtypes, naming the supported ones', () => {
    const error = expectError(() => parseSafetensors(rawFile({ w: entry('Q4_K', [1], [0, 1]) }, 1), 'm.safetensors'),
      'unsupported dtype "Q4_K"', 'F32, F16, BF16');
    expect(error.tensor).toBe('w');
  });

  it('indexes valid but unconvertible dtypes and fails only when one is requested', () => {
    const file = parseSafetensors(rawFile({ mask: entry('BOOL', [2, 2], [0, 4]), w: entry('F32', [1], [4, 8]) }, 8), 'm');
    expect(file.getTensor('w').data[0]).toBe(0);
    expectError(() => file.getTensor('mask'), '"mask"', 'dtype BOOL', 'F32, F16, BF16');
    expectError(() => file.getTensor('nope'), 'no tensor named "nope"');
  });

  it('rejects bad shapes', () => {
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [2, -1], [0, 8]) }, 8), 'm'), 'not a non-negative integer');
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [1.5], [0, 8]) }, 8), 'm'), 'not a non-negative integer');
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', '2', [0, 8]) }, 8), 'm'), 'not an array');
  });

  it('rejects a shape × dtype size that does not match the byte span', () => {
    expectError(() => parseSafetensors(rawFile({ w: entry('F16', [2, 3], [0, 24]) }, 24), 'm.safetensors'),
      '"w"', 'shape [2, 3] of F16 needs 12 bytes but data_offsets span 24');
  });

  it('rejects spans outside the data section', () => {
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [4], [0, 16]) }, 8), 'm.safetensors'),
      'm.safetensors', '"w"', 'outside the data section');
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [1], [8, 4]) }, 8), 'm'), 'end before they begin');
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [1], [-4, 0]) }, 8), 'm'), 'not non-negative integers');
    expectError(() => parseSafetensors(rawFile({ w: entry('F32', [1], [0]) }, 8), 'm'), '[begin, end] pair');
  });

  it('rejects overlapping spans, whatever the header order', () => {
    const header = { b: entry('F32', [2], [4, 12]), a: entry('F32', [2], [0, 8]), c: entry('F32', [1], [12, 16]) };
    expectError(() => parseSafetensors(rawFile(header, 16), 'm.safetensors'), 'm.safetensors', '"a"', '"b"', 'overlap');
  });

  it('allows __metadata__ but validates it', () => {
    const ok = parseSafetensors(rawFile({ __metadata__: { format: 'pt' }, w: entry('F32', [1], [0, 4]) }, 4), 'm');
    expect(ok.metadata).toEqual({ format: 'pt' });
    expect(ok.has('__metadata__')).toBe(false);
    expectError(() => parseSafetensors(rawFile({ __metadata__: { n: 1 } }, 0), 'm'), '__metadata__.n');
  });
});
