// The cost of an attribution, said before it starts: passes from the algorithm, seconds from the
// arithmetic (engine/model/cost.ts) at the throughput of a forward pass timed on this machine.

import { attributionFlops, forwardFlops } from '../engine/model/cost';
import type { AttributionModel } from '../engine/model/attributionModel';
import { formatSeconds } from '../engine/units';

/** Floating-point operations per second of a forward pass over `ids` here (second of two runs: the first warms up). */
export async function measureThroughput(model: AttributionModel, ids: readonly number[]): Promise<number> {
  const x = await model.embed(ids);
  let ms = 0;
  for (let run = 0; run < 2; run++) {
    const t0 = performance.now();
    await model.logitsAt(x, 1, ids.length, [ids.length - 1]);
    ms = performance.now() - t0;
  }
  return forwardFlops(model.config, ids.length, 1) / Math.max(ms / 1000, 1e-6);
}

export interface AttributionCost {
  passes: { inspect: number; masked: number; gradient: number };
  seconds: number;
}

/**
 * Passes and estimated seconds of `rows` attributions over contexts of about p tokens with m probes (central
 * differences in the probe graph; forward differences: full gradient passes, one per probe and one base).
 */
export function attributionCost(model: AttributionModel, p: number, m: number, flopsPerSecond: number, rows = 1, central = true): AttributionCost {
  return {
    passes: { inspect: rows, masked: rows * p, gradient: rows * (central ? 2 * m * p : m * p + 1) },
    seconds: (rows * attributionFlops(model.config, p, m, central, central)) / flopsPerSecond,
  };
}

export function formatCost(cost: AttributionCost): string {
  const { inspect, masked, gradient } = cost.passes;
  return `estimated cost: ${inspect} inspect + ${masked} masked + ${gradient} gradient passes, about ${formatSeconds(cost.seconds)}`;
}
