// This device's measured attribution speed (GFLOP/s), from the last finished run and the loaded model's
// config: what the picker's time estimates for other models are scaled by.

import { attributionFlops } from '../../engine/attribution/cost';
import type { AttributionResult } from '../../engine/attribution/schema';
import type { ModelCard } from '../../worker/protocol';

/** Runs with less arithmetic than this are dominated by fixed costs and say nothing about speed. */
export const MIN_MEASURED_FLOPS = 2e9;

export function measuredGflops(model: ModelCard | null, result: AttributionResult | null, final: boolean): number | null {
  if (!model?.config || !result || !final || !(result.timings.totalMs > 0)) return null;
  const central = result.params.difference !== 'forward';
  const flops = attributionFlops(model.config, result.target.position, result.params.m, central);
  return flops >= MIN_MEASURED_FLOPS ? flops / (result.timings.totalMs / 1000) / 1e9 : null;
}
