// View slice: what the heatmap shows and how the score is combined (β, γ), the parameters of the
// next run (m, seed, adaptive probing), the layer graph's edge threshold, and the opened link's settings that were not used.

import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_PARAMS, type Granularity, type ComponentScaling } from '../engine';
import type { ScaleMode } from '../charts/scale';
import type { AppState } from './types';

export type ComponentKey = 'score' | 'M' | 'S' | 'I';

export interface ViewSlice {
  component: ComponentKey;
  /** Token scores shown per token, or summed per word / sentence / line / paragraph. */
  granularity: Granularity;
  scaleMode: ScaleMode;
  beta: number;
  gamma: number;
  /** S and I raw (the paper's Eq. 5) or each normalized over the context before β and γ. */
  scaling: ComponentScaling;
  m: number;
  seed: number;
  /** Spend the m probes adaptively (a token stops once its standard error is small); m is then the most. */
  adaptive: boolean;
  /** Minimum flow of a shown edge; null = a default relative to the strongest edge. */
  edgeThreshold: number | null;
  /** Settings of the opened link that were not used, each naming the value and the allowed range. */
  linkProblems: string[];
  setComponent(c: ComponentKey): void;
  setGranularity(g: Granularity): void;
  setScaleMode(mode: ScaleMode): void;
  setWeights(beta: number, gamma: number): void;
  setScaling(scaling: ComponentScaling): void;
  setRunParams(m: number, seed: number): void;
  setAdaptive(on: boolean): void;
  setEdgeThreshold(t: number | null): void;
  setLinkProblems(problems: string[]): void;
}

export const createViewSlice: StateCreator<AppState, [], [], ViewSlice> = (set) => ({
  component: 'score',
  granularity: 'token',
  scaleMode: 'log',
  beta: DEFAULT_PARAMS.beta,
  gamma: DEFAULT_PARAMS.gamma,
  scaling: DEFAULT_PARAMS.scaling,
  m: DEFAULT_PARAMS.m,
  seed: DEFAULT_PARAMS.seed,
  adaptive: DEFAULT_PARAMS.adaptive,
  edgeThreshold: null,
  linkProblems: [],
  setComponent: (component) => set({ component }),
  setGranularity: (granularity) => set({ granularity }),
  setScaleMode: (scaleMode) => set({ scaleMode }),
  setWeights: (beta, gamma) => set({ beta, gamma }),
  setScaling: (scaling) => set({ scaling }),
  setRunParams: (m, seed) => set({ m, seed }),
  setAdaptive: (adaptive) => set({ adaptive }),
  setEdgeThreshold: (edgeThreshold) => set({ edgeThreshold }),
  setLinkProblems: (linkProblems) => set({ linkProblems }),
});
