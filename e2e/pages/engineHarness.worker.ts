// Engine harness worker: loads a bundle by URL with the web runtime into an EngineSession (the session
// the app's worker and the CLI drive: fetchBundleSource → AttributionModel.load → session.run) and
// returns the result.

import type { AttributionParams, AttributionResult, TargetRequest } from '../../src/engine/attribution/schema';
import { AttributionModel } from '../../src/engine/model/attributionModel';
import { EngineSession } from '../../src/engine/session/engineSession';
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
  /**
   * Milliseconds: bundle download + session creation (0 when the model was already loaded); the attribution
   * itself (the result's own total, what benchmarks compare); the whole Run call, which also tokenizes and
   * computes the next-token predictions (the first Run of a model also warms its forward pass).
   */
  timings: { loadMs: number; attributeMs: number; runMs: number };
}

/** Sessions by backend, threads, batch cap and bundle URL: several attributions may share one loaded model. */
const sessions = new Map<string, Promise<EngineSession>>();

function sessionFor(req: RunAttributionRequest): Promise<EngineSession> {
  const key = `${req.backend} ${req.numThreads ?? 'default'} ${req.maxBatch ?? 'auto'} ${req.bundleUrl}`;
  let session = sessions.get(key);
  if (!session) {
    session = (async () => {
      const s = new EngineSession();
      const runtime = await createWebRuntime({ prefer: req.backend, numThreads: req.numThreads });
      const plan = req.maxBatch === undefined ? null : { maxBatch: req.maxBatch };
      await s.load(async () => ({ model: await AttributionModel.load(fetchBundleSource(req.bundleUrl), runtime), plan }), { signal: new AbortController().signal });
      return s;
    })();
    sessions.set(key, session);
    session.catch(() => sessions.delete(key));
  }
  return session;
}

async function run(req: RunAttributionRequest): Promise<RunAttributionResponse> {
  const t0 = performance.now();
  const session = await sessionFor(req);
  const t1 = performance.now();
  const { result } = await session.run(req.prompt, req.target, req.params ?? {}, { signal: new AbortController().signal });
  return { result, runtimeDetail: session.model!.backendDetail, timings: { loadMs: t1 - t0, attributeMs: result.timings.totalMs, runMs: performance.now() - t1 } };
}

serveHarnessCalls(run);
