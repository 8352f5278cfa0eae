// Model slice: which bundle and backend, its loading progress, the loaded model's card or the error;
// for models brought by the user also the hub, the quantization and the bundles stored in the browser.

import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_HUB_URL, type BackendPreference, type FileProgress, type ModelCard, type QuantScheme, type StoredModels } from '../engine';
import type { DownloadRequest } from '../lib/linkPolicy';
import type { AppState, ProgressInfo } from './types';

export const DEFAULT_MODEL_URL = '/models/demo/bundle/';

export interface ModelSlice {
  modelUrl: string;
  backend: BackendPreference;
  /**
   * 'consent': a link named a model on another host; nothing is downloaded until the user says so.
   * 'declined': the user said no (modelNote says so); nothing is loaded.
   */
  modelStatus: 'idle' | 'consent' | 'declined' | 'loading' | 'ready' | 'error';
  model: ModelCard | null;
  modelError: string | null;
  /** What a link would download, while it waits for the user's Load or Cancel. */
  pendingDownload: DownloadRequest | null;
  /** Why no model is loaded after the user declined a link's download. */
  modelNote: string | null;
  loadProgress: ProgressInfo | null;
  /** Per-file download progress of a model brought by the user (null when nothing is downloading). */
  loadFiles: FileProgress[] | null;
  /** Where `hf:` model ids are downloaded from, and how a downloaded checkpoint is quantized. */
  hubUrl: string;
  quant: QuantScheme;
  /** Bundles stored in this browser (null until listed). */
  storedModels: StoredModels | null;
  setModelSource(url: string, backend: BackendPreference): void;
  modelLoading(): void;
  modelAwaitingConsent(request: DownloadRequest): void;
  /** The user said no to the pending download; `note` says what happened and what to do instead. */
  modelDeclined(note: string): void;
  setLoadProgress(p: ProgressInfo, files?: FileProgress[]): void;
  setHubSettings(hubUrl: string, quant: QuantScheme): void;
  setStoredModels(stored: StoredModels): void;
  modelLoaded(card: ModelCard): void;
  modelFailed(message: string): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  modelUrl: DEFAULT_MODEL_URL,
  backend: 'auto',
  modelStatus: 'idle',
  model: null,
  modelError: null,
  pendingDownload: null,
  modelNote: null,
  loadProgress: null,
  loadFiles: null,
  hubUrl: DEFAULT_HUB_URL,
  quant: 'q8',
  storedModels: null,
  setModelSource: (modelUrl, backend) => set({ modelUrl, backend }),
  modelLoading: () => set({ modelStatus: 'loading', modelError: null, pendingDownload: null, modelNote: null, loadProgress: null, loadFiles: null, model: null }),
  modelAwaitingConsent: (pendingDownload) =>
    set({ modelStatus: 'consent', pendingDownload, modelError: null, modelNote: null, loadProgress: null, loadFiles: null, model: null }),
  modelDeclined: (modelNote) => set({ modelStatus: 'declined', pendingDownload: null, modelNote }),
  setLoadProgress: (loadProgress, files) => set(files ? { loadProgress, loadFiles: files } : { loadProgress }),
  setHubSettings: (hubUrl, quant) => set({ hubUrl, quant }),
  setStoredModels: (storedModels) => set({ storedModels }),
  modelLoaded: (model) => set({ modelStatus: 'ready', model, loadProgress: null, loadFiles: null, modelError: null }),
  modelFailed: (modelError) => set({ modelStatus: 'error', modelError, pendingDownload: null, modelNote: null, loadProgress: null, loadFiles: null, model: null }),
});
