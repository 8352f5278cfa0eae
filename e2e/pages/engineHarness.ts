// The engine harness page: once `window.engineHarnessReady` is true, `window.runAttribution(request)`
// runs a full HETA attribution in a module worker on a bundle fetched by URL, through the web
// runtime (`engineHarnessError` says why the worker failed to start). Used by e2e/engine.spec.mjs.

import { harnessWorker } from './harnessCalls';
import type { RunAttributionRequest, RunAttributionResponse } from './engineHarness.worker';

declare global {
  interface Window {
    runAttribution(request: RunAttributionRequest): Promise<RunAttributionResponse>;
    engineHarnessReady: boolean;
    engineHarnessError?: string;
  }
}

const worker = harnessWorker<RunAttributionRequest, RunAttributionResponse>(() => new Worker(new URL('./engineHarness.worker.ts', import.meta.url), { type: 'module' }), 'engine harness', {
  onReady: () => {
    window.engineHarnessReady = true;
    document.body.dataset.ready = 'true';
  },
  onCrash: (message) => {
    if (!window.engineHarnessReady) window.engineHarnessError = message;
  },
});

window.runAttribution = worker.call;

// Ready once the worker has loaded all its modules: on a cold dev server, Vite discovers the
// engine's dependencies (onnx-proto) only when the worker imports them, optimizes them and reloads
// the page, which would destroy a call in flight. The reloaded page starts its worker again.
window.engineHarnessReady = false;
worker.start();
