// Loading a bundle folder from the CLI with a progress line (stage, elapsed seconds): reading and
// checking a few hundred MB and creating the session takes seconds on real models.

import { AttributionModel } from '../engine/model/attributionModel';
import type { Runtime } from '../engine/runtime/types';
import { bundleDirSource } from '../node/bundleFiles';
import { progressLine } from './progress';

export async function loadBundleDir(dir: string, runtime: Runtime, stream: NodeJS.WriteStream = process.stderr): Promise<AttributionModel> {
  const line = progressLine(stream);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  try {
    return await AttributionModel.load(bundleDirSource(dir), runtime, (p) => line.update('loading', p.done, p.total, `${p.detail} · ${elapsed()}`));
  } finally {
    line.done();
  }
}
