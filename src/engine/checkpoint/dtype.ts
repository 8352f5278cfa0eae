// Half-precision conversions. Readers widen F16/BF16 to float32 (the compiler works in f32);
// the test writer narrows f32 with round-to-nearest-even, matching PyTorch's `.to(torch.float16/bfloat16)`.

import type { DType } from './types';

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { F32: 4, F16: 2, BF16: 2 };

export const SUPPORTED_DTYPES: readonly DType[] = ['F32', 'F16', 'BF16'];

export function isSupportedDType(value: unknown): value is DType {
  return value === 'F32' || value === 'F16' || value === 'BF16';
}

// Typed arrays use host byte order; safetensors is little-endian (as is every platform we target).
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Scratch views for reinterpreting f32 bits.
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE binary16 bit pattern (low 16 bits of `bits`) → number. Handles subnormals, ±inf, NaN. */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bit pattern → number: bf16 is the top half of an f32, so widening is exact. */
export function bf16ToF32(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** number → bfloat16 bits, round-to-nearest-even; NaN stays a (quiet) NaN. */
export function f32ToBf16(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) {
    return ((bits >>> 16) | 0x0040) & 0xffff; // keep NaN a NaN even if payload bits are dropped
  }
  const roundingBias = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + roundingBias) >>> 16) & 0xffff;
}

/** number → IEEE binary16 bits, round-to-nearest-even (via the f32 value), overflow → ±inf. */
export function f32ToF16(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // inf / NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: inf
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the full 24-bit significand into place and round.
    if (halfExponent < -10) return sign; // below half the smallest subnormal: ±0
    const significand = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShiftRightEven(significand, shift);
  }
  // Normal: drop 13 mantissa bits with rounding; a carry may bump the exponent (even to inf), which is correct.
  const combined = (halfExponent << 23) | mantissa;
  return sign | roundShiftRightEven(combined, 13);
}

/** value >> shift, rounded to nearest, ties to even. */
function roundShiftRightEven(value: number, shift: number): number {
  const truncated = value >>> shift;
  const remainder = value - truncated * 2 ** shift;
  const half = 2 ** (shift - 1);
  if (remainder > half || (remainder === half && (truncated & 1) === 1)) return truncated + 1;
  return truncated;
}

// Whole-buffer widening. A 64K-entry table makes F16 decoding a single lookup per element.
let f16Table: Float32Array | null = null;
function getF16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = f16ToF32(i);
  }
  return f16Table;
}

/**
 * Little-endian bytes of `dtype` → new Float32Array of `count` elements.
 * `bytes` must hold exactly `count * DTYPE_BYTES[dtype]` bytes (callers validate).
 */
export function decodeToF32(bytes: Uint8Array, dtype: DType, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      if (HOST_LITTLE_ENDIAN) {
        new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
      } else {
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      }
      return out;
    case 'F16': {
      const table = getF16Table();
      for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, true)]!;
      return out;
    }
    case 'BF16': {
      const outBits = new Uint32Array(out.buffer); // same host endianness as `out`, so shifts are exact
      for (let i = 0; i < count; i++) outBits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
  }
}

/** Float32 values → little-endian bytes of `dtype` (narrowing rounds to nearest even). */
export function encodeFromF32(values: Float32Array, dtype: DType): Uint8Array {
  const out = new Uint8Array(values.length * DTYPE_BYTES[dtype]);
  const view = new DataView(out.buffer);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
      break;
    case 'F16':
      for (let i = 0; i < values.length; i++) view.setUint16(i * 2, f32ToF16(values[i]!), true);
      break;
    case 'BF16':
      for (let i = 0; i < values.length; i++) view.setUint16(i * 2, f32ToBf16(values[i]!), true);
      break;
  }
  return out;
}
