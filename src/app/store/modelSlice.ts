// Model slice: which bundle and backend, its loading progress, the loaded model's card or the error.

import type { StateCreator } from 'zustand/vanilla';
import type { BackendPreference, ModelCard } from '../../worker/protocol';
import type { AppState, ProgressInfo } from './types';

export const DEFAULT_MODEL_URL = '/models/demo/bundle/';

export interface ModelSlice {
  modelUrl: string;
  backend: BackendPreference;
  modelStatus: 'idle' | 'loading' | 'ready' | 'error';
  model: ModelCard | null;
  modelError: string | null;
  loadProgress: ProgressInfo | null;
  setModelSource(url: string, backend: BackendPreference): void;
  modelLoading(): void;
  setLoadProgress(p: ProgressInfo): void;
  modelLoaded(card: ModelCard): void;
  modelFailed(message: string): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  modelUrl: DEFAULT_MODEL_URL,
  backend: 'auto',
  modelStatus: 'idle',
  model: null,
  modelError: null,
  loadProgress: null,
  setModelSource: (modelUrl, backend) => set({ modelUrl, backend }),
  modelLoading: () => set({ modelStatus: 'loading', modelError: null, loadProgress: null, model: null }),
  setLoadProgress: (loadProgress) => set({ loadProgress }),
  modelLoaded: (model) => set({ modelStatus: 'ready', model, loadProgress: null, modelError: null }),
  modelFailed: (modelError) => set({ modelStatus: 'error', modelError, loadProgress: null, model: null }),
});
