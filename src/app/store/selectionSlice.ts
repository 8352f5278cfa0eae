// Selection slice: the token the inspector shows and the one under the pointer (shared by the
// heatmap and the layer graph).

import type { StateCreator } from 'zustand/vanilla';
import type { AppState } from './types';

export interface SelectionSlice {
  selected: number | null;
  hovered: number | null;
  select(position: number | null): void;
  hover(position: number | null): void;
}

export const createSelectionSlice: StateCreator<AppState, [], [], SelectionSlice> = (set) => ({
  selected: null,
  hovered: null,
  select: (selected) => set({ selected }),
  hover: (hovered) => set({ hovered }),
});
