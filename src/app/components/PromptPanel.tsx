// The prompt: the example gallery, a textarea (paste or type), Run (also Ctrl/Cmd+Enter) and Cancel, the run's progress
// and any message about the prompt or the run.

import { useEffect, useState } from 'react';
import { BACKEND_NAMES } from '../lib/format';
import { formatDuration, LONG_RUN_MS, timeLeftMs, type RunEstimate } from '../lib/runEstimate';
import { selectPreviewEstimate } from '../store/selectors';
import { useApp, useActions, useBridge } from './context';
import { ExampleGallery } from './ExampleGallery';
import { ProgressBar } from './ProgressBar';

/** Re-renders every `ms` while `active`: a countdown between progress updates. */
function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return active ? Math.max(now, Date.now()) : now;
}

function estimateText(e: RunEstimate): string {
  return `${e.atMost ? 'at most ' : ''}${formatDuration(e.ms)}`;
}

/** The go-ahead a long run waits for: how long, and what would make it shorter. */
function LongRunConfirm() {
  const estimate = useApp((s) => s.runEstimate);
  const backend = useApp((s) => s.model?.backend ?? 'wasm');
  const tokens = useApp((s) => s.preview?.tokens.length ?? 0);
  const m = useApp((s) => s.m);
  const adaptive = useApp((s) => s.adaptive);
  const bridge = useBridge();
  if (!estimate) return null;
  const faster = ['a shorter prompt (or an earlier token as target)', `fewer probes (m = ${m} now)`, ...(adaptive ? [] : ['adaptive probing']), ...(backend === 'webgpu' ? [] : ['WebGPU (Backend, above) on a machine with a GPU'])];
  return (
    <div className="message message-warn long-run" role="alertdialog" aria-labelledby="long-run-text" data-testid="long-run-confirm" data-ms={Math.round(estimate.ms)}>
      <p id="long-run-text">
        This run will take <strong data-testid="long-run-estimate">{estimateText(estimate)}</strong> on {BACKEND_NAMES[backend]} ({tokens} tokens, m = {m}
        {estimate.basis === 'first pass' ? '; estimated from one forward pass, before any run measured this device' : '; from the speed of your last run'}).
      </p>
      <p className="hint">Faster: {faster.join(', ')}. The heatmap fills in token by token while it runs, and Cancel keeps what is done.</p>
      <div className="run-row">
        <button type="button" className="primary" data-testid="long-run-go" onClick={() => void bridge.run({ confirmed: true })}>
          Run anyway
        </button>
        <button type="button" data-testid="long-run-decline" onClick={() => bridge.declineLongRun()}>
          Not now
        </button>
      </div>
    </div>
  );
}

export function PromptPanel() {
  const prompt = useApp((s) => s.prompt);
  const runStatus = useApp((s) => s.runStatus);
  const progress = useApp((s) => s.runProgress);
  const runError = useApp((s) => s.runError);
  const awaitingConsent = useApp((s) => s.modelStatus === 'consent');
  const tokenCount = useApp((s) => (s.preview && s.preview.prompt === s.prompt ? s.preview.tokens.length : null));
  const maxPositions = useApp((s) => s.model?.maxPositions ?? null);
  const actions = useActions();
  const bridge = useBridge();
  const busy = runStatus === 'running' || runStatus === 'predicting' || runStatus === 'queued';
  const tooLong = tokenCount !== null && maxPositions !== null && tokenCount > maxPositions;
  const estimate = useApp(selectPreviewEstimate);
  const runEstimate = useApp((s) => s.runEstimate);
  const startedAt = useApp((s) => s.runStartedAt);
  const now = useNow(runStatus === 'running');
  const left = runStatus === 'running' ? timeLeftMs(progress?.remaining, runEstimate, startedAt, now) : null;

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
        {estimate && !tooLong && (
          <span data-testid="run-estimate" className={estimate.ms > LONG_RUN_MS ? 'warn' : undefined} title={estimate.basis === 'first pass' ? 'Estimated from the preview’s forward pass; your first run measures this device' : 'From the speed of your last run'}>
            run ≈ {estimateText(estimate)}
          </span>
        )}
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
      {runStatus === 'confirm' && <LongRunConfirm />}
      {busy && (
        <ProgressBar
          progress={progress}
          testId="run-progress"
          idleLabel={runStatus !== 'queued' ? 'Starting…' : awaitingConsent ? 'Waiting for your answer about the download above…' : 'Waiting for the model to load…'}
          timeLeft={left === null ? null : `${formatDuration(left)} left`}
        />
      )}
      {runError && (
        <p className="message message-error" role="alert" data-testid="run-error">
          {runError}
        </p>
      )}
    </section>
  );
}
