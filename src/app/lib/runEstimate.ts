import { attributionWork, forwardFlops, inTextTokens, type AttributionParams, type TargetRequest, type ModelCard } from '../engine';
// How long a run will take, before it starts: the FLOPs of its passes (engine cost model) over this
// device's speed, measured by the last finished run of this model and backend, or else estimated from the
// preview's own forward pass.


/** A run expected to take longer than this asks first, and says what would make it faster. */
export const LONG_RUN_MS = 20_000;

/**
 * A whole attribution runs at this multiple of one unbatched (warm) forward pass's FLOP/s: its passes are
 * batched. Measured in Chromium, WebAssembly, 2 threads: 3.1 on the demo model at 16 tokens (a lone pass of
 * a 5.5M-parameter model is mostly overhead), 1.8 on a SmolLM2-135M-shaped bundle at 59 tokens. The lower
 * end, rounded down, so a first estimate errs long (there: 2.1× and 1.2× the measured time).
 */
export const FIRST_ESTIMATE_EFFICIENCY = 1.5;

/**
 * …at m = 2; more probes per token make bigger batches in the same number of passes. On the demo model at
 * 16 tokens the estimate was 2× the run at m = 2 and 5× at m = 10 with a constant efficiency; it grows here
 * with √(m/2), a middle course, because a model large enough to be compute-bound gains less from batching.
 */
export function firstEstimateEfficiency(m: number): number {
  return FIRST_ESTIMATE_EFFICIENCY * Math.sqrt(Math.max(1, m / 2));
}

export interface RunEstimate {
  ms: number;
  /** Adaptive probing may stop early: the estimate is then an upper bound. */
  atMost: boolean;
  /** Where the speed came from. */
  basis: 'measured' | 'first pass';
}

export interface EstimateInput {
  model: ModelCard;
  /** Tokens of the prompt, and the preview's forward pass time over them. */
  tokens: number;
  forwardMs: number;
  target: TargetRequest;
  params: Pick<AttributionParams, 'm' | 'adaptive'>;
  /** This device's measured speed for this model and backend (deviceSpeed.ts), when a run measured it. */
  gflops: number | null;
}

export function estimateRun({ model, tokens, forwardMs, target, params, gflops }: EstimateInput): RunEstimate | null {
  const config = model.config;
  if (tokens < 1) return null;
  const p = Math.min(tokens, inTextTokens(target)?.start ?? tokens);
  const w = attributionWork(config, p, params.m, { T: tokens });
  const flops = w.inspect + w.masked + w.hessian;
  const firstPass = forwardMs > 0 ? (forwardFlops(config, tokens, 1) / (forwardMs / 1000)) * firstEstimateEfficiency(params.m) : 0;
  const measured = gflops !== null ? gflops * 1e9 : 0;
  // Both err long (a shorter last run measured a lower FLOP/s than a longer prompt gets: 2–2.2× on the demo
  // model from 16 to 64 and 64 to 256 tokens), so the faster of the two is the better guess.
  const speed = Math.max(firstPass, measured);
  if (!(speed > 0)) return null;
  return { ms: (flops / speed) * 1000, atMost: params.adaptive, basis: measured >= firstPass ? 'measured' : 'first pass' };
}

/** "about 6 min", "about 40 s", "under a second". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = Math.round(ms / 1000);
  if (s < 60) return `about ${s} s`;
  const min = Math.floor(s / 60);
  if (min < 10) return `about ${min} min ${String(s % 60).padStart(2, '0')} s`;
  return min < 120 ? `about ${Math.round(s / 60)} min` : `about ${(s / 3600).toFixed(1)} h`;
}

/**
 * Time left of a running attribution at `now`: the engine's own figure once the Hessian phase measured its
 * speed, counted down since it arrived; before that the up-front estimate, counted down since the start.
 */
export function timeLeftMs(remaining: { ms: number; at: number } | undefined, estimate: RunEstimate | null, startedAt: number | null, now: number): number | null {
  if (remaining) return Math.max(0, remaining.ms - (now - remaining.at));
  if (estimate && startedAt !== null) return Math.max(0, estimate.ms - (now - startedAt));
  return null;
}
