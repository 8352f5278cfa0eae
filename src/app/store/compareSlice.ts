// Comparison slice: which attribution methods the user compares, and the comparison being computed or
// shown (rows arrive one method at a time from the worker), its progress and status.

import type { StateCreator } from 'zustand/vanilla';
import { METHODS, type CompareRow, type Token } from '../engine';
import type { AppState } from './types';
import { jobLifecycle, jobStarted, type JobLifecycle } from './jobSlice';

export type CompareStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** What was compared: the prompt, target and methods asked; rows[k] is methods[k]'s, null until done. */
export interface Comparison {
  prompt: string;
  tokens: Token[];
  /** Context length p (the target's position), the end of its tokens (p + 1, or a span's end) and its text. */
  position: number;
  targetEnd: number;
  targetText: string;
  methods: string[];
  rows: (CompareRow | null)[];
}

export interface CompareProgressInfo {
  index: number;
  label: string;
  done: number;
  total: number;
}

/** HETA against one method of each other family. */
export const DEFAULT_COMPARE_CHOICE = ['heta', 'saliency', 'ig', 'rollout', 'occlusion'];

export interface CompareSlice extends JobLifecycle<'compare', CompareStatus, CompareProgressInfo> {
  /** Method ids chosen, in registry order. */
  compareChoice: string[];
  comparison: Comparison | null;
  setCompareMethod(id: string, on: boolean): void;
  compareStarted(comparison: Omit<Comparison, 'rows'>): void;
  compareRow(index: number, row: CompareRow): void;
}

export const createCompareSlice: StateCreator<AppState, [], [], CompareSlice> = (set) => ({
  ...jobLifecycle<'compare', CompareStatus, CompareProgressInfo>('compare', set),
  compareChoice: DEFAULT_COMPARE_CHOICE,
  comparison: null,
  setCompareMethod: (id, on) =>
    set((s) => {
      const chosen = new Set(s.compareChoice);
      if (on) chosen.add(id);
      else chosen.delete(id);
      return { compareChoice: METHODS.map((m) => m.id).filter((m) => chosen.has(m)) };
    }),
  compareStarted: (c) => set({ ...jobStarted('compare', 'running'), comparison: { ...c, rows: c.methods.map(() => null) } }),
  compareRow: (index, row) =>
    set((s) => {
      if (!s.comparison) return {};
      const rows = [...s.comparison.rows];
      rows[index] = row;
      return { comparison: { ...s.comparison, rows } };
    }),
});
