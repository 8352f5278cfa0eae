// Connects the AttributionClient (worker) to store actions: one-way data flow, worker message →
// bridge → action → store. Owns the run lifecycle: one attribution at a time, stale responses ignored.

import { resultText } from '../engine/attribution/granularity';
import { requestOf } from '../engine/attribution/resultFile';
import { inTextTokens } from '../engine/attribution/schema';
import { CancelledError, type AttributionClient } from '../worker/client';
import { specKind } from '../worker/modelSpec';
import type { LocalFile, TargetRequest } from '../worker/protocol';
import type { LinkState } from './lib/link';
import { decideLinkLoad, sameDownload } from './lib/linkPolicy';
import { selectPreviewEstimate, selectScores } from './store/selectors';
import { LONG_RUN_MS } from './lib/runEstimate';
import type { AppStore } from './store';

export type ClientLike = Pick<AttributionClient, 'loadModel' | 'predict' | 'attribute' | 'attributeGeneration' | 'compare'> &
  // A client without browser storage (tests, or a host without Cache Storage) lists no stored models.
  Partial<Pick<AttributionClient, 'listStoredModels' | 'deleteStoredModel'>>;

export interface Bridge {
  /** Loads the store's model address; `files` are the picked or dropped folder of a `local:` address. */
  loadModel(options?: { files?: LocalFile[] }): Promise<void>;
  /** Stops a model download or compilation. */
  cancelLoad(): void;
  /** The user approved the download a link asked for (the consent prompt's Load). */
  confirmDownload(): Promise<void>;
  /** The user declined it: nothing is downloaded, the link's queued run is dropped. */
  declineDownload(): void;
  /** Lists the bundles stored in this browser into the store. */
  refreshStoredModels(): Promise<void>;
  deleteStoredModel(key: string): Promise<void>;
  /**
   * Predict, then attribute the store's prompt for its target (queued until a loading model is ready). A run
   * estimated to take longer than LONG_RUN_MS waits for the user's go-ahead (`confirmed`).
   */
  run(options?: { confirmed?: boolean }): Promise<void>;
  /** The user declined a long run: nothing runs. */
  declineLongRun(): void;
  /** Sets the target and runs. */
  runFor(target: TargetRequest): Promise<void>;
  /** Generates the store's `generateSteps` tokens after the prompt and attributes each (the matrix view). */
  generate(): Promise<void>;
  /** Runs the chosen methods (compareChoice) for the shown attribution's prompt and target, row by row. */
  compare(): Promise<void>;
  /** Stops the running attribution, generation or comparison. */
  cancel(): void;
  /** Debounced tokenization + top predictions of the current prompt (idle model only). */
  previewSoon(): void;
  /**
   * Restores a shared view; runs when the link has a prompt. A changed model loads at once when it is on
   * this page's origin or stored in the browser, and otherwise waits for the user's consent (see
   * linkPolicy.ts). `problems` are the link's settings that were not used (shown on the page).
   */
  applyLink(link: LinkState, problems?: string[]): void;
}

export const EMPTY_PROMPT = 'The prompt is empty: type or paste some text, then press Run.';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface BridgeOptions {
  previewDelayMs?: number;
  /** The page's address, whose origin a link's model may load from without asking (default: location.href). */
  pageUrl?: string;
}

export function createBridge(store: AppStore, client: ClientLike, options: BridgeOptions = {}): Bridge {
  const state = () => store.getState();
  let loadGen = 0;
  let runGen = 0;
  let current: { cancel: () => void; settled: Promise<unknown> } | null = null;
  let runWhenReady = false;
  /** A shared link with a generation: generate once the queued run is done. */
  let generateAfterRun = false;
  /** The run queued while the model loaded, then the generation a link asked for. */
  async function runQueuedWork(): Promise<void> {
    runWhenReady = false;
    await run();
    if (generateAfterRun) {
      generateAfterRun = false;
      await generate();
    }
  }
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  // One worker request at a time: onnxruntime sessions must not run concurrently
  // (WebGPU rejects an overlapping run with "Session already started").
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  }

  /** Queues a cancellable worker request; until it settles it is `current`, what Cancel and a new run stop. */
  function cancellable<T>(start: () => { result: Promise<T>; cancel: () => void }): Promise<T> {
    let cancelled = false;
    let cancelHandle = () => {
      cancelled = true;
    };
    const result = exclusive(() => {
      if (cancelled) return Promise.reject(new CancelledError('cancelled'));
      const handle = start();
      cancelHandle = handle.cancel;
      return handle.result;
    });
    const mine = { cancel: () => cancelHandle(), settled: result.catch(() => undefined) };
    current = mine;
    void mine.settled.then(() => {
      if (current === mine) current = null;
    });
    return result;
  }

  /** Stops the running request; a generation stopped this way (superseded) shows as cancelled. */
  async function stopCurrent(): Promise<void> {
    const c = current;
    if (!c) return;
    c.cancel();
    await c.settled;
    const g = state().generationStatus;
    if (g === 'generating' || g === 'running') state().generationCancelled();
  }

  let compareGen = 0;

  async function compare(): Promise<void> {
    const s = state();
    const result = s.result;
    if (!result || !s.resultFinal || s.runStatus !== 'done') {
      s.compareFailed('Run an attribution first: the comparison explains the same prompt and target.');
      return;
    }
    if (s.compareChoice.length === 0) {
      s.compareFailed('Choose at least one method to compare.');
      return;
    }
    const gen = ++compareGen;
    await stopCurrent();
    if (gen !== compareGen) return;
    const { compareChoice: methods, beta, gamma, scaling } = state();
    // HETA's row is the heatmap as shown: the view's β and γ recombine the cached components.
    const shown = { ...result, scores: selectScores(state()) ?? result.scores, params: { ...result.params, beta, gamma, scaling } };
    const t = result.target;
    // Text and tokens as the heatmap shows them (a typed continuation's after the prompt).
    state().compareStarted({ prompt: resultText(result), tokens: result.tokens, position: t.position, targetEnd: t.span?.end ?? t.position + 1, targetText: t.span?.text ?? t.text, methods });
    try {
      await cancellable(() =>
        client.compare(result.prompt, requestOf(result), methods, shown.params, shown, (event) => {
          if (gen !== compareGen) return;
          if (event.kind === 'row') state().compareRow(event.index, event.row);
          else state().compareProgressed({ index: event.index, label: event.label, done: event.done, total: event.total });
        }),
      );
      if (gen === compareGen) state().compareFinished();
    } catch (e) {
      if (gen !== compareGen) return;
      if (e instanceof CancelledError) state().compareCancelled();
      else failed(e, state().compareFailed);
    }
  }

  let loading: AbortController | null = null;

  /** A new model address replaces the download still running (`next` takes its place) and stops the old model's work. */
  async function supersede(next: AbortController | null): Promise<void> {
    loading?.abort();
    loading = next;
    runGen++; // results of the old model are stale
    await stopCurrent();
    if (state().runStatus === 'running' || state().runStatus === 'predicting') state().runCancelled();
  }

  /** The run (and generation) a link queued will not happen: no model is coming. */
  function dropQueuedWork(): void {
    runWhenReady = false;
    generateAfterRun = false;
    if (state().runStatus === 'queued') state().runCancelled();
  }

  const pageUrl = () => options.pageUrl ?? globalThis.location.href;

  /** Keys of the bundles stored in this browser (read from the worker's Cache Storage: no network). */
  async function storedKeys(): Promise<Set<string>> {
    if (!client.listStoredModels) return new Set();
    try {
      const stored = await client.listStoredModels();
      state().setStoredModels(stored);
      return new Set(stored.models.map((m) => m.key));
    } catch {
      return new Set(); // unknown: the prompt asks, which is safe
    }
  }

  /** The model a link named: loaded when the policy allows it, otherwise the consent prompt; nothing is fetched before. */
  async function openLinkedModel(): Promise<void> {
    const gen = ++loadGen;
    const { modelUrl, hubUrl, quant } = state();
    const stored = specKind(modelUrl) === 'hub' ? await storedKeys() : new Set<string>();
    if (gen !== loadGen) return;
    const decision = decideLinkLoad(modelUrl, { pageUrl: pageUrl(), hubUrl, quant, storedKeys: stored });
    if (decision.action === 'load') return loadModel();
    await supersede(null);
    if (gen !== loadGen) return;
    if (decision.action === 'ask') {
      state().modelAwaitingConsent(decision.request);
    } else {
      dropQueuedWork();
      state().modelFailed(decision.message);
    }
  }

  async function confirmDownload(): Promise<void> {
    const pending = state().pendingDownload;
    if (state().modelStatus !== 'consent' || !pending) return;
    // The prompt must show what is loaded: if the address or hub changed since, decide (and ask) again.
    const { modelUrl, hubUrl, quant } = state();
    const decision = decideLinkLoad(modelUrl, { pageUrl: pageUrl(), hubUrl, quant, storedKeys: new Set() });
    if (decision.action === 'ask' && !sameDownload(decision.request, pending)) state().modelAwaitingConsent(decision.request);
    else if (decision.action === 'refuse') state().modelFailed(decision.message);
    else await loadModel();
  }

  function declineDownload(): void {
    const pending = state().pendingDownload;
    if (state().modelStatus !== 'consent' || !pending) return;
    loadGen++;
    dropQueuedWork();
    state().modelDeclined(`Nothing was downloaded from ${pending.host}. Pick another model with the Bundle field or “Your model…”, or:`);
  }

  async function loadModel(load: { files?: LocalFile[] } = {}): Promise<void> {
    const gen = ++loadGen;
    const controller = new AbortController();
    await supersede(controller);
    const { modelUrl, backend, hubUrl, quant } = state();
    state().modelLoading();
    try {
      const card = await exclusive(() =>
        client.loadModel(
          modelUrl,
          backend,
          (p) => {
            if (gen === loadGen) state().setLoadProgress({ stage: p.stage, done: p.done, total: p.total, detail: p.detail }, p.files);
          },
          { hubUrl, quant, files: load.files, signal: controller.signal },
        ),
      );
      if (gen !== loadGen) return;
      state().modelLoaded(card);
      void refreshStoredModels();
      if (runWhenReady) void runQueuedWork();
      else previewSoon();
    } catch (e) {
      if (gen !== loadGen) return;
      dropQueuedWork();
      if (e instanceof CancelledError) state().modelFailed(`Loading ${modelUrl} was cancelled.`);
      else state().modelFailed(`Could not load the model from ${modelUrl}: ${message(e)}`);
    } finally {
      if (loading === controller) loading = null;
    }
  }

  async function refreshStoredModels(): Promise<void> {
    if (!client.listStoredModels) return;
    try {
      state().setStoredModels(await client.listStoredModels());
    } catch {
      // Listing is informational; a failure leaves the last list in place.
    }
  }

  async function deleteStoredModel(key: string): Promise<void> {
    if (client.deleteStoredModel) state().setStoredModels(await client.deleteStoredModel(key));
  }

  function failed(e: unknown, report: (text: string) => void = state().runFailed): void {
    const text = message(e);
    // The client rejects every pending request after a crash; the next call starts a fresh worker without a model.
    if (/worker crashed/.test(text)) state().modelFailed(text.replace(/^the/, 'The'));
    report(text);
  }

  async function run({ confirmed = false } = {}): Promise<void> {
    const s = state();
    if (!s.prompt.trim()) {
      s.runFailed(EMPTY_PROMPT);
      return;
    }
    if (s.modelStatus === 'loading' || s.modelStatus === 'idle' || s.modelStatus === 'consent') {
      runWhenReady = true;
      s.runQueued();
      return;
    }
    if (s.modelStatus !== 'ready' || !s.model) {
      s.runFailed('No model is loaded: fix the model address or backend above and load it again.');
      return;
    }
    const gen = ++runGen;
    await stopCurrent();
    if (gen !== runGen) return;
    const { prompt, model, m, seed, adaptive, beta, gamma, scaling } = state();
    let { target } = state();
    state().predicting();
    let preview;
    try {
      preview = await exclusive(() => client.predict(prompt));
    } catch (e) {
      if (gen === runGen) failed(e);
      return;
    }
    if (gen !== runGen) return;
    state().setPreview({ prompt, ...preview });
    const n = preview.tokens.length;
    if (n === 0) {
      state().runFailed('The prompt produced no tokens.');
      return;
    }
    // An in-text target (token, span, or a contrast on one) of text that has since been shortened falls back to the next token.
    if ((inTextTokens(target)?.end ?? 0) > n) {
      target = { kind: 'next' };
      state().setTarget(target);
    }
    const p = inTextTokens(target)?.start ?? n;
    if (p > model!.maxPositions) {
      state().runFailed(
        `The prompt is too long: ${n} tokens, but ${model!.id} reads at most ${model!.maxPositions}. Shorten it${target.kind === 'next' ? ' or pick an earlier token of the text as target' : ''}.`,
      );
      return;
    }
    const estimate = selectPreviewEstimate(state());
    if (estimate && estimate.ms > LONG_RUN_MS && !confirmed) {
      state().runNeedsConfirmation(estimate);
      return;
    }
    state().runStarted(estimate);
    try {
      const final = await cancellable(() =>
        client.attribute(prompt, target, { m, seed, adaptive, beta, gamma, scaling }, (msg) => {
          if (gen !== runGen) return;
          const remaining = msg.remainingMs === undefined ? undefined : { ms: msg.remainingMs, at: Date.now() };
          state().runProgress({ stage: msg.stage, done: msg.done, total: msg.total, detail: msg.detail, remaining }, msg.partial);
        }),
      );
      if (gen === runGen) state().runFinished(final);
    } catch (e) {
      if (gen !== runGen) return;
      if (e instanceof CancelledError) state().runCancelled();
      else failed(e);
    }
  }

  async function generate(): Promise<void> {
    const s = state();
    if (!s.prompt.trim()) {
      s.generationFailed(EMPTY_PROMPT);
      return;
    }
    if (s.modelStatus !== 'ready' || !s.model) {
      s.generationFailed('No model is loaded yet: wait for it to load (or fix the model above), then generate again.');
      return;
    }
    const gen = ++runGen;
    await stopCurrent();
    if (gen !== runGen) return;
    const { prompt, generateSteps, m, seed, adaptive, beta, gamma, scaling } = state();
    state().generationStarted();
    try {
      await cancellable(() =>
        client.attributeGeneration(prompt, generateSteps, { m, seed, adaptive, beta, gamma, scaling }, (event) => {
          if (gen !== runGen) return;
          if (event.kind === 'generated') state().generationText(prompt, event.generated);
          else if (event.kind === 'row') state().generationRow(event.row, event.result);
          else state().generationProgressed({ row: event.row, rows: event.rows, stage: event.stage, done: event.done, total: event.total });
        }),
      );
      if (gen === runGen) state().generationFinished();
    } catch (e) {
      if (gen !== runGen) return;
      if (e instanceof CancelledError) state().generationCancelled();
      else failed(e, state().generationFailed);
    }
  }

  function previewSoon(): void {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const s = state();
      const prompt = s.prompt;
      if (s.modelStatus !== 'ready' || s.runStatus === 'running' || s.runStatus === 'predicting') return;
      if (!prompt.trim()) {
        s.setPreview(null);
        return;
      }
      try {
        const preview = await exclusive(() => (state().prompt === prompt ? client.predict(prompt) : Promise.reject(new Error('stale'))));
        if (state().prompt === prompt) state().setPreview({ prompt, ...preview });
      } catch {
        // A failed preview is harmless: Run reports the error.
      }
    }, options.previewDelayMs ?? 350);
  }

  return {
    loadModel,
    cancelLoad: () => loading?.abort(),
    confirmDownload,
    declineDownload,
    refreshStoredModels,
    deleteStoredModel,
    run,
    declineLongRun: () => {
      runGen++;
      if (state().runStatus === 'confirm') state().runDeclined();
    },
    generate,
    compare,
    runFor: (target) => {
      state().setTarget(target);
      return run();
    },
    cancel: () => {
      if (runWhenReady && state().runStatus === 'queued') state().runCancelled();
      runWhenReady = false;
      current?.cancel();
    },
    previewSoon,
    applyLink(link, problems = []) {
      const s = state();
      s.setLinkProblems(problems);
      const modelUrl = link.model ?? s.modelUrl;
      const backend = link.backend ?? s.backend;
      const reload = modelUrl !== s.modelUrl || backend !== s.backend || s.modelStatus === 'idle' || s.modelStatus === 'declined';
      s.setModelSource(modelUrl, backend);
      if (link.prompt !== undefined) s.setPrompt(link.prompt);
      if (link.target) s.setTarget(link.target);
      s.setWeights(link.beta ?? s.beta, link.gamma ?? s.gamma);
      s.setScaling(link.scaling ?? s.scaling);
      s.setRunParams(link.m ?? s.m, link.seed ?? s.seed);
      s.setAdaptive(link.adaptive ?? s.adaptive);
      if (link.component) s.setComponent(link.component);
      if (link.granularity) s.setGranularity(link.granularity);
      if (link.scaleMode) s.setScaleMode(link.scaleMode);
      if (link.edgeThreshold !== undefined) s.setEdgeThreshold(link.edgeThreshold);
      if (link.selected !== undefined) s.select(link.selected); // kept by the run if the token is there
      if (link.prompt) {
        runWhenReady = true;
        s.runQueued();
        if (link.generate) {
          s.setGenerateSteps(link.generate);
          generateAfterRun = true;
        }
      }
      if (reload) void openLinkedModel();
      else if (runWhenReady && s.modelStatus === 'ready') void runQueuedWork();
    },
  };
}
