// Connects the AttributionClient (worker) to store actions: one-way data flow, worker message →
// bridge → action → store. Each user action becomes one worker call; the job controller keeps one run,
// generation or comparison at a time and drops what a superseded one still sends.

import { resultText, requestOf, inTextTokens, CancelledError, type AttributionClient, type AttributionResult, specKind, type LocalFile, type TargetRequest } from './engine';
import { createJobController } from './jobs';
import type { LinkState } from './lib/link';
import { decideLinkLoad, sameDownload } from './lib/linkPolicy';
import { selectPreviewEstimate } from './store/selectors';
import { LONG_RUN_MS } from './lib/runEstimate';
import type { AppStore } from './store';

export type ClientLike = Pick<AttributionClient, 'loadModel' | 'preview' | 'run' | 'generate' | 'compare'> &
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
   * Attributes the store's prompt for its target in one worker call (queued until a loading model is ready);
   * its tokens and predictions arrive first. A run estimated to take longer than LONG_RUN_MS waits for the
   * user's go-ahead (`confirmed`).
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

/** An engine message as a sentence on the page. */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface BridgeOptions {
  previewDelayMs?: number;
  /** The page's address, whose origin a link's model may load from without asking (default: location.href). */
  pageUrl?: string;
}

export function createBridge(store: AppStore, client: ClientLike, options: BridgeOptions = {}): Bridge {
  const state = () => store.getState();
  const jobs = createJobController();
  /** Result ids of this worker's results: a comparison names the shown result instead of sending it back. */
  const resultIds = new WeakMap<AttributionResult, string>();
  let loadGen = 0;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  let loading: AbortController | null = null;

  /** The run queued while the model loaded, then the generation a link asked for. */
  async function runQueuedWork(): Promise<void> {
    await run();
    if (state().generationQueued) {
      state().setGenerationQueued(false);
      await generate();
    }
  }

  /** Reports a job's failure; a worker crash also becomes a model error (the next call starts a fresh worker without a model). */
  function failed(e: unknown, report: (text: string) => void = state().runFailed): void {
    const text = message(e);
    if (/worker crashed/.test(text)) state().modelFailed(capitalized(text));
    report(capitalized(text));
  }

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
    await jobs.start(
      'compare',
      (live) => {
        const { compareChoice: methods, beta, gamma, scaling } = state();
        const t = result.target;
        // Text and tokens as the heatmap shows them (a typed continuation's after the prompt).
        state().compareStarted({ prompt: resultText(result), tokens: result.tokens, position: t.position, targetEnd: t.span?.end ?? t.position + 1, targetText: t.span?.text ?? t.text, methods });
        // HETA's row is the heatmap as shown: the worker recombines the result it holds with the view's β and γ.
        const request = { resultId: resultIds.get(result) ?? null, prompt: result.prompt, target: requestOf(result), methods, params: { ...result.params, beta, gamma, scaling } };
        return client.compare(request, {
          onEvent: (event) => live() && state().compareRow(event.index, event.row),
          onProgress: (p) => live() && state().compareProgressed({ index: p.part?.index ?? 0, label: p.detail, done: p.done, total: p.total }),
        });
      },
      { finished: () => state().compareFinished(), cancelled: () => state().compareCancelled(), failed: (e) => failed(e, state().compareFailed) },
    );
  }

  /** A new model address replaces the download still running (`next` takes its place) and stops the old model's work. */
  async function supersede(next: AbortController | null): Promise<void> {
    loading?.abort();
    loading = next;
    await jobs.stop();
  }

  /** The run (and generation) a link queued will not happen: no model is coming. */
  function dropQueuedWork(): void {
    state().setGenerationQueued(false);
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
      const card = await client.loadModel(
        modelUrl,
        backend,
        (p) => {
          if (gen === loadGen) state().setLoadProgress({ stage: p.stage, done: p.done, total: p.total, detail: p.detail }, p.files.length ? p.files : undefined);
        },
        { hubUrl, quant, files: load.files, signal: controller.signal },
      );
      if (gen !== loadGen) return;
      state().modelLoaded(card);
      void refreshStoredModels();
      if (state().runStatus === 'queued') void runQueuedWork();
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

  /** Whether the run may start: a long one waits for the go-ahead (then the store says so and this is false). */
  function goAhead(confirmed: boolean): boolean {
    const estimate = selectPreviewEstimate(state());
    if (estimate && estimate.ms > LONG_RUN_MS && !confirmed) {
      state().runNeedsConfirmation(estimate);
      return false;
    }
    state().runStarted(estimate);
    return true;
  }

  async function run({ confirmed = false } = {}): Promise<void> {
    const s = state();
    if (!s.prompt.trim()) {
      s.runFailed(EMPTY_PROMPT);
      return;
    }
    if (s.modelStatus === 'loading' || s.modelStatus === 'idle' || s.modelStatus === 'consent') {
      s.runQueued();
      return;
    }
    if (s.modelStatus !== 'ready' || !s.model) {
      s.runFailed('No model is loaded: fix the model address or backend above and load it again.');
      return;
    }
    /** Set when the job is stopped to ask first: its cancellation is not the user's. */
    let askFirst = false;
    await jobs.start(
      'run',
      (live) => {
        const { prompt, preview, m, seed, adaptive, beta, gamma, scaling } = state();
        let { target } = state();
        // With the prompt's tokens known, an in-text target of text that has since been shortened falls back to the next token,
        // and a long run asks before anything is sent.
        const known = preview?.prompt === prompt ? preview.tokens.length : null;
        if (known !== null && (inTextTokens(target)?.end ?? 0) > known) {
          target = { kind: 'next' };
          state().setTarget(target);
        }
        state().predicting();
        if (known !== null && !goAhead(confirmed)) return null;
        let job: ReturnType<ClientLike['run']> | null = null;
        job = client.run(prompt, target, { m, seed, adaptive, beta, gamma, scaling }, {
          onPredicted: (p) => {
            if (!live()) return;
            state().setPreview({ prompt, ...p });
            if (known === null && !goAhead(confirmed)) {
              askFirst = true;
              job?.cancel();
            }
          },
          onProgress: (p) => {
            if (!live() || askFirst) return;
            const remaining = p.remainingMs === null ? undefined : { ms: p.remainingMs, at: Date.now() };
            state().runProgressed({ stage: p.stage, done: p.done, total: p.total, detail: p.detail, remaining });
          },
          onPartial: (partial) => live() && !askFirst && state().runPartial(partial),
        });
        if (askFirst) job.cancel(); // asked before the call returned (a client that reports at once)
        return job;
      },
      {
        finished: ({ resultId, result }) => {
          resultIds.set(result, resultId);
          state().runFinished(result);
        },
        cancelled: () => askFirst || state().runCancelled(),
        failed: (e) => failed(e),
      },
    );
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
    await jobs.start(
      'generation',
      (live) => {
        const { prompt, generateSteps, m, seed, adaptive, beta, gamma, scaling } = state();
        state().generationStarted();
        return client.generate(prompt, generateSteps, { m, seed, adaptive, beta, gamma, scaling }, {
          onEvent: (event) => {
            if (!live()) return;
            if (event.kind === 'generated') state().generationText(prompt, event.generated);
            else {
              resultIds.set(event.result, event.resultId);
              state().generationRow(event.row, event.result);
            }
          },
          onProgress: (p) => live() && state().generationProgressed({ row: p.part?.index ?? 0, rows: p.part?.count ?? 1, stage: p.stage, done: p.done, total: p.total }),
        });
      },
      { finished: () => state().generationFinished(), cancelled: () => state().generationCancelled(), failed: (e) => failed(e, state().generationFailed) },
    );
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
        const preview = await client.preview(prompt);
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
      if (state().runStatus === 'confirm') state().runDeclined();
    },
    generate,
    compare,
    runFor: (target) => {
      state().setTarget(target);
      return run();
    },
    cancel: () => {
      if (state().runStatus === 'queued') state().runCancelled();
      state().setGenerationQueued(false);
      void jobs.stop();
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
        s.runQueued();
        if (link.generate) {
          s.setGenerateSteps(link.generate);
          s.setGenerationQueued(true);
        }
      }
      if (reload) void openLinkedModel();
      else if (state().runStatus === 'queued' && s.modelStatus === 'ready') void runQueuedWork();
    },
  };
}
