// The model card: what is loaded (size, quantization, shape), where it runs (WebGPU or WebAssembly,
// with the fallback reason), and the controls to pick the backend or another bundle.

import { useEffect, useState } from 'react';
import type { BackendPreference } from '../engine';
import { BACKEND_NAMES, fmtCount } from '../lib/format';
import { DEFAULT_MODEL_URL } from '../store/modelSlice';
import { updateLocationHash } from '../lib/link';
import { useActions, useApp, useBridge } from './context';
import { DownloadFiles } from './DownloadFiles';
import { ModelPicker } from './ModelPicker';
import { ProgressBar } from './ProgressBar';

export function ModelCard() {
  const model = useApp((s) => s.model);
  const status = useApp((s) => s.modelStatus);
  const progress = useApp((s) => s.loadProgress);
  const backend = useApp((s) => s.backend);
  const modelUrl = useApp((s) => s.modelUrl);
  const note = useApp((s) => s.modelNote);
  const actions = useActions();
  const bridge = useBridge();
  const [url, setUrl] = useState(modelUrl);
  useEffect(() => setUrl(modelUrl), [modelUrl]);

  const load = (nextUrl: string, nextBackend: BackendPreference) => {
    actions.setModelSource(nextUrl, nextBackend);
    updateLocationHash({ model: nextUrl, backend: nextBackend });
    // A link's download waiting for consent stays waiting: only its prompt (or this form's Load) starts it.
    if (status === 'consent' && nextUrl === modelUrl) return;
    void bridge.loadModel();
  };

  return (
    <section className="model-card" aria-label="Model" data-testid="model-card" data-status={status} data-spec={modelUrl}>
      <div className="model-summary">
        {model ? (
          <>
            <div className="model-name" data-testid="model-name">
              {model.id}
            </div>
            <div className="model-facts">
              <span title="parameters">{fmtCount(model.parameters)} params</span>
              <span title="weight quantization">{model.quantization}</span>
              <span title="layers × attention heads">
                {model.layers} layers × {model.heads} heads
              </span>
              <span title="context length">{model.maxPositions} tokens context</span>
              <span className={`backend-badge backend-${model.backend}`} data-testid="model-backend" data-backend={model.backend}>
                {BACKEND_NAMES[model.backend]}
              </span>
            </div>
            <div className="model-detail" data-testid="model-backend-detail">
              {model.architecture} · {model.backendDetail}
            </div>
            {model.origin && (
              <div className="model-detail" data-testid="model-origin">
                {model.origin}
              </div>
            )}
            {model.memory && (
              <div className={`model-detail memory-${model.memory.verdict}`} data-testid="model-memory" data-verdict={model.memory.verdict}>
                {model.memory.message}
              </div>
            )}
            {model.notice && (
              <div className="model-detail model-notice" role="status" data-testid="model-notice">
                {model.notice}
              </div>
            )}
          </>
        ) : status === 'loading' ? (
          <>
            <ProgressBar progress={progress} testId="model-progress" idleLabel="Starting the model worker…" />
            <DownloadFiles />
            <button type="button" className="model-cancel" data-testid="model-cancel" onClick={() => bridge.cancelLoad()}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <div className="model-name muted">
              {status === 'consent' ? 'Waiting for your answer: download this model?' : status === 'idle' ? 'Model not loaded yet' : 'No model loaded'}
            </div>
            {status === 'declined' && note && (
              <div className="model-detail" role="status" data-testid="model-note">
                {note}{' '}
                <button type="button" className="link" data-testid="load-demo" onClick={() => load(DEFAULT_MODEL_URL, backend)}>
                  Load the demo model
                </button>
              </div>
            )}
          </>
        )}
      </div>
      <form
        className="model-controls"
        onSubmit={(e) => {
          e.preventDefault();
          const next = url.trim() || modelUrl;
          // Load on the address a link's prompt is about: the same consent as the prompt's button.
          if (status === 'consent' && next === modelUrl) void bridge.confirmDownload();
          else load(next, backend);
        }}
      >
        <label>
          Backend
          <select data-testid="backend-select" value={backend} onChange={(e) => load(modelUrl, e.target.value as BackendPreference)}>
            <option value="auto">auto</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WebAssembly</option>
          </select>
        </label>
        <label className="model-url">
          Bundle
          <input data-testid="model-url" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} aria-label="Model bundle address" />
        </label>
        <button type="submit" data-testid="model-load" disabled={status === 'loading'}>
          {status === 'ready' && url === modelUrl ? 'Reload' : 'Load'}
        </button>
      </form>
      <ModelPicker />
    </section>
  );
}
