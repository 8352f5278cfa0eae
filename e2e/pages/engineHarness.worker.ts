// Engine harness worker: loads a bundle by URL with the web runtime (the same path as the app's
// worker: fetchBundleSource → AttributionModel.load → attribute) and returns the result.

import { attribute } from '../../src/engine/attribution/heta';
import type { AttributionParams, AttributionResult, TargetRequest } from '../../src/engine/attribution/schema';
import { AttributionModel } from '../../src/engine/model/attributionModel';
import { createWebRuntime } from '../../src/engine/runtime/webRuntime';
import { fetchBundleSource } from '../../src/worker/fetchBundle';
import { serveHarnessCalls } from './harnessCalls';

export interface RunAttributionRequest {
  backend: 'webgpu' | 'wasm' | 'auto';
  /** Folder URL of the bundle (same origin), e.g. '/__e2e_fixtures/engine/tiny/'. */
  bundleUrl: string;
  prompt: string;
  target: TargetRequest;
  params?: Partial<AttributionParams>;
  /** Upper bound on items per batched pass (AttributionOptions.maxBatch). */
  maxBatch?: number;
  /** WebAssembly threads (fixed when onnxruntime first initializes in this worker). */
  numThreads?: number;
}

export interface RunAttributionResponse {
  result: AttributionResult;
  /** The runtime's own account of what it runs on (the same as result.backend.detail). */
  runtimeDetail: string;
  /** Milliseconds: bundle download + session creation (0 when the model was already loaded), attribution. */
  timings: { loadMs: number; attributeMs: number };
}

/** Loaded models by backend and bundle URL: several attributions may share one. */
const models = new Map<string, Promise<AttributionModel>>();

async function run(req: RunAttributionRequest): Promise<RunAttributionResponse> {
  const key = `${req.backend} ${req.numThreads ?? 'default'} ${req.bundleUrl}`;
  const t0 = performance.now();
  let loading = models.get(key);
  if (!loading) {
    loading = createWebRuntime({ prefer: req.backend, numThreads: req.numThreads }).then((runtime) => AttributionModel.load(fetchBundleSource(req.bundleUrl), runtime));
    models.set(key, loading);
    loading.catch(() => models.delete(key));
  }
  const model = await loading;
  const t1 = performance.now();
  const result = await attribute(model, req.prompt, req.target, req.params ?? {}, { maxBatch: req.maxBatch });
  return { result, runtimeDetail: model.backendDetail, timings: { loadMs: t1 - t0, attributeMs: performance.now() - t1 } };
}

serveHarnessCalls(run);
