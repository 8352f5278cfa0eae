// The engine harness page: once `window.engineHarnessReady` is true, `window.runAttribution(request)`
// runs a full HETA attribution in a module worker on a bundle fetched by URL, through the web
// runtime (`engineHarnessError` says why the worker failed to start). Used by e2e/engine.spec.mjs.

import type { FromEngineWorker, RunAttributionRequest, RunAttributionResponse, ToEngineWorker } from './engineHarness.worker';

declare global {
  interface Window {
    runAttribution(request: RunAttributionRequest): Promise<RunAttributionResponse>;
    engineHarnessReady: boolean;
    engineHarnessError?: string;
  }
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (r: RunAttributionResponse) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./engineHarness.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (ev: MessageEvent<FromEngineWorker>) => {
    const msg = ev.data;
    if (msg.kind === 'ready') {
      window.engineHarnessReady = true;
      document.body.dataset.ready = 'true';
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.kind === 'result') p.resolve(msg.response);
    else p.reject(new Error(msg.message));
  };
  w.onerror = (ev: ErrorEvent) => {
    const err = new Error(`engine harness worker error: ${ev.message || 'failed to load the worker script'}`);
    if (!window.engineHarnessReady) window.engineHarnessError = err.message;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker?.terminate();
    worker = undefined;
  };
  worker = w;
  return w;
}

window.runAttribution = (request: RunAttributionRequest): Promise<RunAttributionResponse> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const msg: ToEngineWorker = { kind: 'attribute', id, request };
    getWorker().postMessage(msg);
  });

// Ready once the worker has loaded all its modules: on a cold dev server, Vite discovers the
// engine's dependencies (onnx-proto) only when the worker imports them, optimizes them and reloads
// the page, which would destroy a call in flight. The reloaded page starts its worker again.
window.engineHarnessReady = false;
getWorker();
