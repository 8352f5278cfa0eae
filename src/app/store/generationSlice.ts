// Generation slice: "generate N tokens and explain each" — the generated text, one attribution per
// generated token as it arrives (the target × source matrix), progress, and the matrix's view options.

import type { StateCreator } from 'zustand/vanilla';
import type { AttributionResult, GeneratedText, ProgressStage } from '../engine';
import type { AppState } from './types';
import { jobLifecycle, jobStarted, type JobLifecycle } from './jobSlice';

export type GenerationStatus = 'idle' | 'generating' | 'running' | 'done' | 'cancelled' | 'error';

export interface Generation extends GeneratedText {
  prompt: string;
  /** rows[k] explains tokens[generated[k]]; rows[generated.length] the whole continuation (a span); null until computed. */
  rows: (AttributionResult | null)[];
}

export interface GenerationProgressInfo {
  row: number;
  rows: number;
  stage: ProgressStage;
  done: number;
  total: number;
}

export const DEFAULT_GENERATE_STEPS = 8;

export interface GenerationSlice extends JobLifecycle<'generation', GenerationStatus, GenerationProgressInfo> {
  generateSteps: number;
  generation: Generation | null;
  /** A link asked for a generation: it starts once the link's run is done. */
  generationQueued: boolean;
  /** Each matrix row scaled to its own maximum (rows of different targets differ in magnitude). */
  rowNormalize: boolean;
  setGenerateSteps(n: number): void;
  setRowNormalize(on: boolean): void;
  setGenerationQueued(on: boolean): void;
  generationStarted(): void;
  generationText(prompt: string, generated: GeneratedText): void;
  generationRow(row: number, result: AttributionResult): void;
  /** Shows row k in the main views: the generated text becomes the prompt and its token the in-text target. */
  showGenerationRow(row: number): void;
}

export const createGenerationSlice: StateCreator<AppState, [], [], GenerationSlice> = (set, get) => ({
  ...jobLifecycle<'generation', GenerationStatus, GenerationProgressInfo>('generation', set),
  generateSteps: DEFAULT_GENERATE_STEPS,
  generation: null,
  generationQueued: false,
  rowNormalize: true,
  setGenerationQueued: (generationQueued) => set({ generationQueued }),
  setGenerateSteps: (generateSteps) => set({ generateSteps }),
  setRowNormalize: (rowNormalize) => set({ rowNormalize }),
  generationStarted: () => set({ ...jobStarted('generation', 'generating'), generation: null }),
  generationText: (prompt, g) => set({ generationStatus: 'running', generation: { prompt, ...g, rows: g.generated.length ? [...g.generated.map(() => null), null] : [] } }),
  generationRow: (row, result) =>
    set((s) => {
      if (!s.generation) return {};
      const rows = [...s.generation.rows];
      rows[row] = result;
      return { generation: { ...s.generation, rows } };
    }),
  showGenerationRow: (row) => {
    const g = get().generation;
    const result = g?.rows[row];
    if (!g || !result) return;
    const t = result.target;
    get().showResult(result, `generated row ${row + 1}: ${t.span ? 'the whole continuation' : `“${t.text}”`}`, g.text);
  },
});
