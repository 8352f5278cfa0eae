// The bounds of the run parameters a user can set (the Score panel) or a shared link can carry, in one
// place. A link is text anyone can write: m = 100000000 would run for hours, β = 1e308 overflows the
// score to Infinity. (When the engine grows its own module of parameter bounds, this should re-export it.)

import { MAX_GENERATED } from '../../worker/protocol';

export interface Range {
  min: number;
  max: number;
  /** Only whole numbers. */
  integer: boolean;
  /** What the number is, for messages: "probes m". */
  label: string;
}

export const RUN_LIMITS = {
  /** Hessian probe rounds per run: cost grows linearly with m. */
  m: { min: 1, max: 256, integer: true, label: 'probes m' },
  beta: { min: 0, max: 100, integer: false, label: 'β' },
  gamma: { min: 0, max: 100, integer: false, label: 'γ' },
  /** Tokens generated and explained after the prompt (each costs a full attribution). */
  generate: { min: 1, max: MAX_GENERATED, integer: true, label: 'generated tokens' },
  /** The engine uses `seed >>> 0`: this range holds every distinct seed. */
  seed: { min: -(2 ** 31), max: 2 ** 32 - 1, integer: true, label: 'seed' },
} as const satisfies Record<string, Range>;

export function describeRange(r: Range): string {
  return `${r.integer ? 'a whole number' : 'a number'} from ${r.min} to ${r.max}`;
}

export function inRange(r: Range, n: number): boolean {
  return Number.isFinite(n) && n >= r.min && n <= r.max && (!r.integer || Number.isInteger(n));
}
