// Run slice: the prompt, the chosen target, the tokenization preview with top predictions, and the
// attribution run (progress, partial then final result, or why it stopped).

import type { StateCreator } from 'zustand/vanilla';
import type { AttributionResult, Prediction, TargetRequest, Token } from '../../worker/protocol';
import type { AppState, ProgressInfo } from './types';
import type { RunEstimate } from '../lib/runEstimate';
import { requestOf } from '../../engine/attribution/resultFile';

/** 'confirm': the run would take long (estimate in `runEstimate`) and waits for the user's go-ahead. */
export type RunStatus = 'idle' | 'queued' | 'predicting' | 'confirm' | 'running' | 'done' | 'cancelled' | 'error';

export interface Preview {
  prompt: string;
  tokens: Token[];
  predictions: Prediction[];
  /** The forward pass's time in the worker (0 when unknown): a first run's time estimate scales from it. */
  forwardMs: number;
}

export interface RunSlice {
  prompt: string;
  target: TargetRequest;
  preview: Preview | null;
  runStatus: RunStatus;
  progress: ProgressInfo | null;
  /** The latest result: partial (M, I, S from some probe rounds) while running, then final. */
  result: AttributionResult | null;
  resultFinal: boolean;
  runError: string | null;
  /** The estimate of the run that waits for a go-ahead, or of the run in progress (its time left until the engine measures it). */
  runEstimate: RunEstimate | null;
  /** When the running attribution started (Date.now()). */
  runStartedAt: number | null;
  /**
   * The user's prompt that showing another result (a generation row, an opened file) replaced in the prompt
   * box, with what is shown: the page says so and offers it back.
   */
  replacedPrompt: { prompt: string; shown: string } | null;
  /** Attribution runs sent to the worker in this session (β/γ changes never add one). */
  workerRuns: number;
  setPrompt(prompt: string): void;
  setTarget(target: TargetRequest): void;
  setPreview(preview: Preview | null): void;
  setRunError(message: string | null): void;
  /** Run requested while the model loads: it starts once the model is ready. */
  runQueued(): void;
  predicting(): void;
  /** The run would take long: it waits until the user goes ahead (bridge.run({ confirmed: true })) or declines. */
  runNeedsConfirmation(estimate: RunEstimate): void;
  runDeclined(): void;
  runStarted(estimate: RunEstimate | null): void;
  runProgress(p: ProgressInfo, partial?: AttributionResult): void;
  runFinished(result: AttributionResult): void;
  runCancelled(): void;
  runFailed(message: string): void;
  /**
   * Shows a finished result that did not come from a run (an opened file, a generation row) with the prompt
   * and target that produce it; `shown` names it for the notice when the prompt box changes.
   */
  showResult(result: AttributionResult, shown: string, text?: string): void;
  /** Puts back the prompt that showResult replaced (the shown result stays, marked as not of this prompt). */
  restorePrompt(): void;
}

export const createRunSlice: StateCreator<AppState, [], [], RunSlice> = (set, get) => ({
  prompt: '',
  target: { kind: 'next' },
  preview: null,
  runStatus: 'idle',
  progress: null,
  result: null,
  resultFinal: false,
  runError: null,
  runEstimate: null,
  runStartedAt: null,
  replacedPrompt: null,
  workerRuns: 0,
  setPrompt: (prompt) => set((s) => (prompt === s.prompt ? {} : { prompt, target: { kind: 'next' }, replacedPrompt: null })),
  setTarget: (target) => set({ target }),
  setPreview: (preview) => set({ preview }),
  setRunError: (runError) => set({ runError }),
  runQueued: () => set({ runStatus: 'queued', runError: null, progress: null }),
  predicting: () => set({ runStatus: 'predicting', runError: null, progress: null }),
  runNeedsConfirmation: (runEstimate) => set({ runStatus: 'confirm', runEstimate, progress: null }),
  runDeclined: () => set((s) => ({ runStatus: s.result ? 'done' : 'idle', runEstimate: null })),
  runStarted: (runEstimate) => set((s) => ({ runStatus: 'running', runError: null, progress: null, runEstimate, runStartedAt: Date.now(), workerRuns: s.workerRuns + 1 })),
  runProgress: (progress, partial) => set(partial ? { progress, result: partial, resultFinal: false } : { progress }),
  runFinished: (result) => {
    const selected = get().selected;
    set({ runStatus: 'done', progress: null, result, resultFinal: true, selected: selected !== null && selected < result.tokens.length ? selected : null });
  },
  runCancelled: () => set({ runStatus: 'cancelled', progress: null }),
  runFailed: (runError) => set({ runStatus: 'error', runError, progress: null }),
  restorePrompt: () => {
    const replaced = get().replacedPrompt;
    if (replaced) get().setPrompt(replaced.prompt);
  },
  showResult: (result, shown, text = result.prompt) => {
    const { prompt, replacedPrompt } = get();
    // The user's own text is kept to offer back (the first one, when results are shown one after another).
    const replaced = text === prompt ? replacedPrompt : { prompt: replacedPrompt?.prompt ?? prompt, shown };
    const target = requestOf(result);
    // The prompt's own tokens: a typed continuation's follow them in the result.
    const promptTokens = target.kind === 'span' && 'continuation' in target ? result.tokens.slice(0, result.target.position) : result.tokens;
    // The result's predictions are at its row q: they are the next-token chips only when q ends the text.
    const atEnd = result.target.position === promptTokens.length;
    set({
      prompt: text,
      target,
      preview: { prompt: text, tokens: promptTokens, predictions: atEnd ? result.predictions : [], forwardMs: 0 },
      result,
      resultFinal: true,
      runStatus: 'done',
      runError: null,
      progress: null,
      selected: null,
      replacedPrompt: replaced && replaced.prompt !== text && replaced.prompt.trim() ? { ...replaced, shown } : null,
    });
  },
});
