// The bounds every count a user can set must stay within, in one place: the CLI's options and the app's
// link parameters check the same numbers, so neither can start work that runs for hours or reads past
// what a model can hold.

/**
 * Longest context a compiled bundle accepts. Attribution runs p masked passes and 2·m·p gradient passes
 * over p tokens with [T, T] attention per head, so far shorter contexts are already minutes of work; the
 * compiler sizes position tables to this, whatever a config's max_position_embeddings claims.
 */
export const MAX_CONTEXT_TOKENS = 32768;

export interface CountLimit {
  min: number;
  max: number;
  integer: boolean;
  /** What the count is, for messages. */
  what: string;
}

export const LIMITS = {
  m: { min: 1, max: 256, integer: true, what: 'Rademacher probes per token' },
  seTarget: { min: 0, max: 1, integer: false, what: 'adaptive standard-error target, a fraction of the largest S' },
  minProbes: { min: 2, max: 256, integer: true, what: 'probes per token before adaptive stopping' },
  generate: { min: 1, max: 64, integer: true, what: 'tokens to generate and explain' },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true, what: 'random seed' },
  targetPosition: { min: 1, max: MAX_CONTEXT_TOKENS - 1, integer: true, what: 'position of the in-text target' },
  beta: { min: -1e6, max: 1e6, integer: false, what: 'weight of the sensitivity term' },
  gamma: { min: -1e6, max: 1e6, integer: false, what: 'weight of the information term' },
  igSteps: { min: 1, max: 4096, integer: true, what: 'integrated-gradients steps' },
  contextCiteSamples: { min: 2, max: 4096, integer: true, what: 'ContextCite ablation samples' },
  draws: { min: 1, max: 256, integer: true, what: 'soft-mask draws per metric' },
  limit: { min: 1, max: 1_000_000, integer: true, what: 'dataset items' },
  windows: { min: 1, max: 100_000, integer: true, what: 'validation windows' },
  threads: { min: 1, max: 256, integer: true, what: 'CPU threads' },
  maxBatch: { min: 1, max: 1024, integer: true, what: 'items per batched pass' },
} as const satisfies Record<string, CountLimit>;

export type LimitName = keyof typeof LIMITS;

export class LimitError extends RangeError {
  override name = 'LimitError';
}

/** The values LIMITS[name] allows, in words: "an integer from 1 to 256". */
export function describeLimit(name: LimitName): string {
  const limit: CountLimit = LIMITS[name];
  return `${limit.integer ? 'an integer' : 'a number'} from ${limit.min} to ${limit.max}`;
}

export function withinLimit(name: LimitName, value: number): boolean {
  const limit: CountLimit = LIMITS[name];
  return Number.isFinite(value) && (!limit.integer || Number.isInteger(value)) && value >= limit.min && value <= limit.max;
}

/** Why `value` is outside LIMITS[name] ("must be an integer from 1 to 256, got 1000000"), or null when it is fine. */
export function limitProblem(name: LimitName, value: number): string | null {
  return withinLimit(name, value) ? null : `must be ${describeLimit(name)} (${LIMITS[name].what}), got ${value}`;
}

/** `value` when it is within LIMITS[name]; otherwise a LimitError naming `label` (default: the limit's name). */
export function checkLimit(name: LimitName, value: number, label: string = name): number {
  const problem = limitProblem(name, value);
  if (problem) throw new LimitError(`${label} ${problem}`);
  return value;
}
