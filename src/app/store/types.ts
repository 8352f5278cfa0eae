import type { ProgressStage } from '../engine';
import type { CompareSlice } from './compareSlice';
import type { GenerationSlice } from './generationSlice';
import type { ModelSlice } from './modelSlice';
import type { RunSlice } from './runSlice';
import type { SelectionSlice } from './selectionSlice';
import type { ViewSlice } from './viewSlice';

export interface ProgressInfo {
  stage: ProgressStage;
  done: number;
  total: number;
  detail: string;
  /** An attribution's time left when this update arrived (Date.now() `at`), once the engine measured it. */
  remaining?: { ms: number; at: number };
}

export type AppState = ModelSlice & RunSlice & SelectionSlice & ViewSlice & GenerationSlice & CompareSlice;
