import { attributionWork, type AttributionResult, type ModelCard } from '../engine';
// This device's measured attribution speed (GFLOP/s), from the last finished run of the loaded model on its
// backend: what a run's time estimate and the picker's estimates for other models are scaled by.


/** Runs with less arithmetic than this are dominated by fixed costs and say nothing about speed. */
export const MIN_MEASURED_FLOPS = 2e9;

/** FLOPs a finished result's run did: its probes as used (adaptive runs stop tokens early). */
export function resultFlops(model: Pick<ModelCard, 'config'>, result: AttributionResult): number {
  const central = result.params.difference !== 'forward';
  const { objective, position: p } = result.target;
  const w = attributionWork(model.config, p, result.params.m, { T: objective?.fed ?? p, rows: objective?.rows.length ?? 1, central });
  const probes = result.sensitivity?.probesPerToken ?? w.perProbe.map(() => result.params.m);
  return w.inspect + w.masked + probes.reduce((sum, n, i) => sum + n * w.perProbe[i], 0);
}

export function measuredGflops(model: ModelCard | null, result: AttributionResult | null, final: boolean): number | null {
  if (!model || !result || !final || !(result.timings.totalMs > 0)) return null;
  // Only a run of this model on this backend measures this device's speed for it (not an opened file).
  if (result.model.id !== model.id || result.backend.name !== model.backend) return null;
  const flops = resultFlops(model, result);
  return flops >= MIN_MEASURED_FLOPS ? flops / (result.timings.totalMs / 1000) / 1e9 : null;
}
