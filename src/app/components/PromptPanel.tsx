// The prompt: the example gallery, a textarea (paste or type), Run (also Ctrl/Cmd+Enter) and Cancel, the run's progress
// and any message about the prompt or the run.

import { useApp, useActions, useBridge } from './context';
import { ExampleGallery } from './ExampleGallery';
import { ProgressBar } from './ProgressBar';

export function PromptPanel() {
  const prompt = useApp((s) => s.prompt);
  const runStatus = useApp((s) => s.runStatus);
  const progress = useApp((s) => s.progress);
  const runError = useApp((s) => s.runError);
  const awaitingConsent = useApp((s) => s.modelStatus === 'consent');
  const tokenCount = useApp((s) => (s.preview && s.preview.prompt === s.prompt ? s.preview.tokens.length : null));
  const maxPositions = useApp((s) => s.model?.maxPositions ?? null);
  const actions = useActions();
  const bridge = useBridge();
  const busy = runStatus === 'running' || runStatus === 'predicting' || runStatus === 'queued';
  const tooLong = tokenCount !== null && maxPositions !== null && tokenCount > maxPositions;

  return (
    <section className="panel prompt-panel" aria-labelledby="prompt-heading">
      <h2 id="prompt-heading">Prompt</h2>
      <ExampleGallery />
      <textarea
        data-testid="prompt-input"
        aria-label="Prompt text"
        value={prompt}
        rows={6}
        placeholder="Type or paste text; HETA explains which tokens made the model predict what comes next."
        onChange={(e) => {
          actions.setPrompt(e.target.value);
          if (runStatus === 'error') actions.setRunError(null);
          bridge.previewSoon();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void bridge.run();
          }
        }}
      />
      <div className="prompt-meta">
        <span data-testid="token-count" className={tooLong ? 'warn' : undefined}>
          {tokenCount === null ? '' : `${tokenCount} tokens${maxPositions ? ` of ${maxPositions}` : ''}`}
        </span>
        <span className="hint">Ctrl/⌘ + Enter runs</span>
      </div>
      <div className="run-row">
        <button type="button" className="primary" data-testid="run-button" onClick={() => void bridge.run()}>
          {busy ? 'Restart' : 'Run'}
        </button>
        <button type="button" data-testid="cancel-button" onClick={() => bridge.cancel()} disabled={!busy}>
          Cancel
        </button>
        <span className="run-status" data-testid="run-status" data-state={runStatus}>
          {runStatus === 'done' ? 'Done' : runStatus === 'cancelled' ? 'Cancelled' : runStatus === 'predicting' ? 'Tokenizing…' : ''}
        </span>
      </div>
      {busy && <ProgressBar progress={progress} testId="run-progress" idleLabel={runStatus !== 'queued' ? 'Starting…' : awaitingConsent ? 'Waiting for your answer about the download above…' : 'Waiting for the model to load…'} />}
      {runError && (
        <p className="message message-error" role="alert" data-testid="run-error">
          {runError}
        </p>
      )}
    </section>
  );
}
