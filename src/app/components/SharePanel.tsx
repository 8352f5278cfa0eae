// The full result as JSON (and opening a saved one), and a link that restores this view (prompt, target, β, γ,
// m, seed, adaptive probing, model).

import { useState, type ChangeEvent } from 'react';
import { withGranularity, parseResultFile, requestOf, type TargetRequest } from '../engine';
import { saveBlob } from '../lib/download';
import { formatLink, updateLocationHash, type LinkState } from '../lib/link';
import type { AppState } from '../store';
import { useApp, useStoreApi } from './context';

/** The view as link state; a finished run's target is the request that produced it (a next token pinned to its id), and a generation of this prompt is kept. */
export function linkStateOf(s: AppState): LinkState {
  const r = s.result;
  const g = s.generation;
  const sameRun = r !== null && r.prompt === s.prompt;
  const target: TargetRequest = sameRun ? requestOf(r) : s.target;
  return {
    model: s.modelUrl,
    backend: s.backend,
    prompt: s.prompt,
    target,
    beta: s.beta,
    gamma: s.gamma,
    scaling: s.scaling,
    m: sameRun ? r.params.m : s.m,
    seed: sameRun ? r.params.seed : s.seed,
    ...((sameRun ? r.sensitivity?.probing === 'adaptive' : s.adaptive) ? { adaptive: true } : {}),
    ...(g && g.prompt === s.prompt ? { generate: g.generated.length } : {}),
    component: s.component,
    granularity: s.granularity,
    scaleMode: s.scaleMode,
    ...(sameRun && s.selected !== null ? { selected: s.selected } : {}),
    ...(s.edgeThreshold !== null ? { edgeThreshold: s.edgeThreshold } : {}),
  };
}

export function SharePanel() {
  const hasResult = useApp((s) => s.result !== null && s.resultFinal);
  const store = useStoreApi();
  const [link, setLink] = useState<{ url: string; copied: boolean } | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);

  const openResult = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ''; // the same file may be opened again
    if (!file) return;
    try {
      store.getState().showResult(parseResultFile(await file.text(), file.name), file.name);
      setOpenError(null);
    } catch (error) {
      setOpenError(error instanceof Error ? error.message : String(error));
    }
  };

  const copyLink = async () => {
    const state = linkStateOf(store.getState());
    updateLocationHash(state);
    const url = `${location.origin}${location.pathname}${formatLink(state)}`;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // No clipboard permission (e.g. not focused): the link is shown to copy by hand.
    }
    setLink({ url, copied });
  };

  return (
    <section className="panel share-panel" aria-labelledby="share-heading">
      <h2 id="share-heading">Share</h2>
      <div className="button-row">
        <button type="button" data-testid="copy-link" onClick={() => void copyLink()}>
          Copy link
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={!hasResult}
          onClick={() => {
            const { result: r, granularity } = store.getState();
            // The token result as computed, plus the word / sentence / … view when one is shown.
            if (r) saveBlob(new Blob([JSON.stringify(granularity === 'token' ? r : withGranularity(r, granularity), null, 2)], { type: 'application/json' }), 'heta-result.json');
          }}
        >
          Download JSON
        </button>
        <label className="button-like" title="Show a result saved with Download JSON or heta attribute --json (any version): no model run needed">
          Open result…
          <input type="file" accept=".json,application/json" data-testid="open-result" className="visually-hidden" onChange={(e) => void openResult(e)} />
        </label>
      </div>
      {openError && (
        <p className="message message-error" role="alert" data-testid="open-result-error">
          {openError}
        </p>
      )}
      {link && (
        <div className="share-link">
          <input readOnly value={link.url} data-testid="share-link" aria-label="Link to this view" onFocus={(e) => e.target.select()} />
          <span className="muted" role="status">
            {link.copied ? 'Copied to the clipboard.' : 'Copy this link (clipboard not available).'}
          </span>
        </div>
      )}
    </section>
  );
}
