// Option parsing shared by the CLI commands.

import type { MaskScheme } from '../engine/attribution/schema';

export function numberOption(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${value}'`);
  return n;
}

export function parseMask(value: string): MaskScheme {
  if (value === 'zero' || value === 'mean') return { kind: value };
  const m = /^token:(\d+)$/.exec(value);
  if (m) return { kind: 'token', id: Number(m[1]) };
  throw new Error(`--mask must be zero, mean or token:<id>, got '${value}'`);
}
