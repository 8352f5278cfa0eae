// The ORT harness page: `window.runGraph(request)` runs one ONNX graph in a module worker through
// the web runtime. Used by the e2e specs (and later by the compiler's browser test).

import type { FromWorker, RunGraphRequest, RunGraphResult, ToWorker } from './ortHarnessProtocol';

declare global {
  interface Window {
    runGraph(request: RunGraphRequest): Promise<RunGraphResult>;
    harnessReady: boolean;
  }
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (r: RunGraphResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./ortHarness.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (ev: MessageEvent<FromWorker>) => {
    const msg = ev.data;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    switch (msg.kind) {
      case 'result':
        p.resolve(msg.result);
        break;
      case 'error':
        p.reject(new Error(msg.message));
        break;
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  };
  w.onerror = (ev: ErrorEvent) => {
    // The worker script failed (load error or an uncaught exception): fail everything in flight.
    const err = new Error(`harness worker error: ${ev.message || 'failed to load the worker script'}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker?.terminate();
    worker = undefined;
  };
  worker = w;
  return w;
}

window.runGraph = (request: RunGraphRequest): Promise<RunGraphResult> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const msg: ToWorker = { kind: 'run', id, request };
    getWorker().postMessage(msg);
  });

window.harnessReady = true;
document.body.dataset.ready = 'true';
