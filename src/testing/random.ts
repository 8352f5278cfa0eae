// Seeded PRNG for fixtures and tests: deterministic across runs and platforms (pure 32-bit integer math).

/** mulberry32 floats in [0, 1): the engine's own seeded generator, reused for fixtures. */
import { seededUniform } from '../engine/attribution/random';

export const mulberry32 = seededUniform;

export class Rng {
  private readonly nextUniform: () => number;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.nextUniform = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUniform();
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.nextUniform();
  }

  /** Integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.nextUniform() * maxExclusive);
  }

  /** Standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    const u = 1 - this.nextUniform(); // (0, 1]: keeps log finite
    const v = this.nextUniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  /** `length` independent normal samples. */
  normalArray(length: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** `length` uniform samples in [low, high). */
  uniformArray(length: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.uniform(low, high);
    return out;
  }
}
