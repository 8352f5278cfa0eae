// Generation slice: "generate N tokens and explain each" — the generated text, one attribution per
// generated token as it arrives (the target × source matrix), progress, and the matrix's view options.

import type { StateCreator } from 'zustand/vanilla';
import type { AttributionResult, GeneratedText, ProgressStage } from '../../worker/protocol';
import type { AppState } from './types';

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

export interface GenerationSlice {
  generateSteps: number;
  generation: Generation | null;
  generationStatus: GenerationStatus;
  generationProgress: GenerationProgressInfo | null;
  generationError: string | null;
  /** Each matrix row scaled to its own maximum (rows of different targets differ in magnitude). */
  rowNormalize: boolean;
  setGenerateSteps(n: number): void;
  setRowNormalize(on: boolean): void;
  generationStarted(): void;
  generationText(prompt: string, generated: GeneratedText): void;
  generationRow(row: number, result: AttributionResult): void;
  generationProgressed(p: GenerationProgressInfo): void;
  generationFinished(): void;
  generationCancelled(): void;
  generationFailed(message: string): void;
  /** Shows row k in the main views: the generated text becomes the prompt and its token the in-text target. */
  showGenerationRow(row: number): void;
}

export const createGenerationSlice: StateCreator<AppState, [], [], GenerationSlice> = (set, get) => ({
  generateSteps: DEFAULT_GENERATE_STEPS,
  generation: null,
  generationStatus: 'idle',
  generationProgress: null,
  generationError: null,
  rowNormalize: true,
  setGenerateSteps: (generateSteps) => set({ generateSteps }),
  setRowNormalize: (rowNormalize) => set({ rowNormalize }),
  generationStarted: () => set({ generationStatus: 'generating', generation: null, generationProgress: null, generationError: null }),
  generationText: (prompt, g) => set({ generationStatus: 'running', generation: { prompt, ...g, rows: g.generated.length ? [...g.generated.map(() => null), null] : [] } }),
  generationRow: (row, result) =>
    set((s) => {
      if (!s.generation) return {};
      const rows = [...s.generation.rows];
      rows[row] = result;
      return { generation: { ...s.generation, rows } };
    }),
  generationProgressed: (generationProgress) => set({ generationProgress }),
  generationFinished: () => set({ generationStatus: 'done', generationProgress: null }),
  generationCancelled: () => set({ generationStatus: 'cancelled', generationProgress: null }),
  generationFailed: (generationError) => set({ generationStatus: 'error', generationError, generationProgress: null }),
  showGenerationRow: (row) => {
    const g = get().generation;
    const result = g?.rows[row];
    if (!g || !result) return;
    const t = result.target;
    get().showResult(result, `generated row ${row + 1}: ${t.span ? 'the whole continuation' : `“${t.text}”`}`, g.text);
  },
});
