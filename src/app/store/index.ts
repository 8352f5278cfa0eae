// The app's one store: a vanilla zustand store (no React) made of slices; components read it
// through narrow selectors, the bridge and components call its actions.

import { createStore, type StoreApi } from 'zustand/vanilla';
import { createCompareSlice } from './compareSlice';
import { createGenerationSlice } from './generationSlice';
import { createModelSlice } from './modelSlice';
import { createRunSlice } from './runSlice';
import { createSelectionSlice } from './selectionSlice';
import type { AppState } from './types';
import { createViewSlice } from './viewSlice';

export type AppStore = StoreApi<AppState>;
export type { AppState, ProgressInfo } from './types';

export function createAppStore(initial: Partial<AppState> = {}): AppStore {
  const store = createStore<AppState>()((...a) => ({
    ...createModelSlice(...a),
    ...createRunSlice(...a),
    ...createSelectionSlice(...a),
    ...createViewSlice(...a),
    ...createGenerationSlice(...a),
    ...createCompareSlice(...a),
  }));
  store.setState(initial);
  return store;
}
