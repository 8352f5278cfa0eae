// The ORT harness page: `window.runGraph(request)` runs one ONNX graph in a module worker through
// the web runtime. Used by the e2e specs (and later by the compiler's browser test).

import { harnessWorker } from './harnessCalls';
import type { RunGraphRequest, RunGraphResult } from './ortHarnessProtocol';

declare global {
  interface Window {
    runGraph(request: RunGraphRequest): Promise<RunGraphResult>;
    harnessReady: boolean;
  }
}

window.runGraph = harnessWorker<RunGraphRequest, RunGraphResult>(() => new Worker(new URL('./ortHarness.worker.ts', import.meta.url), { type: 'module' }), 'harness').call;

window.harnessReady = true;
document.body.dataset.ready = 'true';
