// Run slice: the prompt, the chosen target, the tokenization preview with top predictions, and the
// attribution run (progress, partial then final result, or why it stopped).

import type { StateCreator } from 'zustand/vanilla';
import { type AttributionResult, type Prediction, type TargetRequest, type Token, requestOf } from '../engine';
import type { AppState, ProgressInfo } from './types';
import { jobLifecycle, jobStarted, type JobLifecycle } from './jobSlice';
import type { RunEstimate } from '../lib/runEstimate';

/** 'confirm': the run would take long (estimate in `runEstimate`) and waits for the user's go-ahead. */
export type RunStatus = 'idle' | 'queued' | 'predicting' | 'confirm' | 'running' | 'done' | 'cancelled' | 'error';

export interface Preview {
  prompt: string;
  tokens: Token[];
  predictions: Prediction[];
  /** The forward pass's time in the worker (0 when unknown): a first run's time estimate scales from it. */
  forwardMs: number;
}

export interface RunSlice extends Omit<JobLifecycle<'run', RunStatus, ProgressInfo>, 'runFinished'> {
  prompt: string;
  target: TargetRequest;
  preview: Preview | null;
  /** The latest result: partial (M, I, S from some probe rounds) while running, then final. */
  result: AttributionResult | null;
  resultFinal: boolean;
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
  /** The result so far (M, I, and S of the tokens done). */
  runPartial(partial: AttributionResult): void;
  runFinished(result: AttributionResult): void;
  /**
   * Shows a finished result that did not come from a run (an opened file, a generation row) with the prompt
   * and target that produce it; `shown` names it for the notice when the prompt box changes.
   */
  showResult(result: AttributionResult, shown: string, text?: string): void;
  /** Puts back the prompt that showResult replaced (the shown result stays, marked as not of this prompt). */
  restorePrompt(): void;
}

export const createRunSlice: StateCreator<AppState, [], [], RunSlice> = (set, get) => ({
  ...jobLifecycle<'run', RunStatus, ProgressInfo>('run', set),
  prompt: '',
  target: { kind: 'next' },
  preview: null,
  result: null,
  resultFinal: false,
  runEstimate: null,
  runStartedAt: null,
  replacedPrompt: null,
  workerRuns: 0,
  setPrompt: (prompt) => set((s) => (prompt === s.prompt ? {} : { prompt, target: { kind: 'next' }, replacedPrompt: null })),
  setTarget: (target) => set({ target }),
  setPreview: (preview) => set({ preview }),
  setRunError: (runError) => set({ runError }),
  runQueued: () => set(jobStarted('run', 'queued')),
  predicting: () => set(jobStarted('run', 'predicting')),
  runNeedsConfirmation: (runEstimate) => set({ runStatus: 'confirm', runEstimate, runProgress: null }),
  runDeclined: () => set((s) => ({ runStatus: s.result ? 'done' : 'idle', runEstimate: null })),
  runStarted: (runEstimate) => set((s) => ({ ...jobStarted('run', 'running'), runEstimate, runStartedAt: Date.now(), workerRuns: s.workerRuns + 1 })),
  runPartial: (result) => set({ result, resultFinal: false }),
  runFinished: (result) => {
    const selected = get().selected;
    set({ runStatus: 'done', runProgress: null, result, resultFinal: true, selected: selected !== null && selected < result.tokens.length ? selected : null });
  },
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
      runProgress: null,
      selected: null,
      replacedPrompt: replaced && replaced.prompt !== text && replaced.prompt.trim() ? { ...replaced, shown } : null,
    });
  },
});
