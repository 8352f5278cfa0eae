import { describe, expect, it } from 'vitest';
import { bf16ToF32, decodeToF32, encodeFromF32, f16ToF32, f32ToBf16, f32ToF16 } from './dtype';

describe('f16 → f32', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504], // largest normal
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s', (bits, expected) => {
    expect(f16ToF32(bits)).toBe(expected);
  });
  it('keeps negative zero and NaN', () => {
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
    expect(f16ToF32(0x7e00)).toBeNaN();
    expect(f16ToF32(0x7c01)).toBeNaN();
  });
});

describe('bf16 → f32', () => {
  it.each([
    [0x3f80, 1],
    [0xc040, -3],
    [0x4049, 3.140625],
    [0x0001, 2 ** -133], // subnormal
    [0x7f7f, 3.3895313892515355e38], // largest finite
    [0x7f80, Infinity],
    [0xff80, -Infinity],
  ])('0x%s', (bits, expected) => {
    expect(bf16ToF32(bits)).toBe(expected);
  });
  it('NaN', () => expect(bf16ToF32(0x7fc0)).toBeNaN());
});

describe('f32 → f16 (round to nearest even)', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // halfway to the next (nonexistent) value: rounds to inf
    [65519, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal: even is 0
    [3 * 2 ** -26, 0x0001], // above the tie
    [1 + 2 ** -11, 0x3c00], // tie: 1.0 has even mantissa
    [1 + 3 * 2 ** -11, 0x3c02], // tie: rounds up to even
    [2 ** -14 - 2 ** -25, 0x0400], // rounds up from subnormal into the smallest normal
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('%s', (value, bits) => {
    expect(f32ToF16(value)).toBe(bits);
  });
  it('NaN stays NaN', () => expect(f16ToF32(f32ToF16(NaN))).toBeNaN());
  it('round-trips every finite f16', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = f16ToF32(bits);
      if (!Number.isNaN(value) && f32ToF16(value) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('f32 → bf16 (round to nearest even)', () => {
  it.each([
    [1, 0x3f80],
    [-3, 0xc040],
    [Math.PI, 0x4049],
    [1 + 2 ** -8, 0x3f80], // tie, even stays
    [1 + 3 * 2 ** -8, 0x3f82], // tie, rounds up to even
    [Infinity, 0x7f80],
  ])('%s', (value, bits) => {
    expect(f32ToBf16(value)).toBe(bits);
  });
  it('NaN stays NaN', () => expect(bf16ToF32(f32ToBf16(NaN))).toBeNaN());
});

describe('buffer conversion', () => {
  it('encodes and decodes little-endian buffers for each dtype', () => {
    const values = new Float32Array([0, 1, -2.5, 0.1, 65504, -1e-6]);
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const bytes = encodeFromF32(values, dtype);
      const decoded = decodeToF32(bytes, dtype, values.length);
      const tolerance = dtype === 'F32' ? 0 : dtype === 'F16' ? 1e-3 : 1e-2;
      values.forEach((v, i) => expect(Math.abs(decoded[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * tolerance + 1e-6));
    }
    expect(Array.from(encodeFromF32(new Float32Array([1]), 'F16'))).toEqual([0x00, 0x3c]);
    expect(Array.from(encodeFromF32(new Float32Array([1]), 'BF16'))).toEqual([0x80, 0x3f]);
  });
  it('decodes from an unaligned offset', () => {
    const bytes = new Uint8Array(1 + 8);
    bytes.set(encodeFromF32(new Float32Array([1.5, -4]), 'F32'), 1);
    expect(Array.from(decodeToF32(bytes.subarray(1), 'F32', 2))).toEqual([1.5, -4]);
  });
});
