import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../engine/model/catalog';
import { attributionWork, forwardFlops } from '../../engine/model/cost';
import type { ModelCard } from '../engine';
import { estimateRun, FIRST_ESTIMATE_EFFICIENCY, formatDuration, timeLeftMs } from './runEstimate';

const smol = CATALOG.find((m) => m.hubId === 'HuggingFaceTB/SmolLM2-135M')!.config;
const card = { id: 'smol', backend: 'wasm', config: smol } as ModelCard;

describe('run estimate', () => {
  it('divides the run’s FLOPs by the faster of the measured speed and the first pass’s speed times the efficiency', () => {
    const w = attributionWork(smol, 20, 10, { T: 20 });
    const flops = w.inspect + w.masked + w.hessian;
    const measured = estimateRun({ model: card, tokens: 20, forwardMs: 0, target: { kind: 'next' }, params: { m: 10, adaptive: false }, gflops: 5 })!;
    expect(measured).toEqual({ ms: (flops / 5e9) * 1000, atMost: false, basis: 'measured' });
    // A first pass that implies more than the measured 5 GFLOP/s wins.
    const fastPass = (forwardFlops(smol, 20, 1) / 10e9) * 1000;
    expect(estimateRun({ model: card, tokens: 20, forwardMs: fastPass, target: { kind: 'next' }, params: { m: 10, adaptive: false }, gflops: 5 })).toMatchObject({ basis: 'first pass' });
    const first = estimateRun({ model: card, tokens: 20, forwardMs: 40, target: { kind: 'next' }, params: { m: 10, adaptive: true }, gflops: null })!;
    const speed = (forwardFlops(smol, 20, 1) / 0.04) * FIRST_ESTIMATE_EFFICIENCY * Math.sqrt(5);
    expect(first.ms).toBeCloseTo((flops / speed) * 1000, 6);
    expect(first).toMatchObject({ atMost: true, basis: 'first pass' });
  });
  it('an earlier in-text target explains fewer tokens, so it is shorter; no speed gives no estimate', () => {
    const at = (target: Parameters<typeof estimateRun>[0]['target']) => estimateRun({ model: card, tokens: 40, forwardMs: 0, target, params: { m: 10, adaptive: false }, gflops: 5 })!.ms;
    expect(at({ kind: 'position', position: 10 })).toBeLessThan(at({ kind: 'next' }) / 2);
    expect(estimateRun({ model: card, tokens: 40, forwardMs: 0, target: { kind: 'next' }, params: { m: 10, adaptive: false }, gflops: null })).toBeNull();
  });
  it('formats durations for people', () => {
    expect(formatDuration(400)).toBe('under a second');
    expect(formatDuration(42_400)).toBe('about 42 s');
    expect(formatDuration(6 * 60_000 + 5_000)).toBe('about 6 min 05 s');
    expect(formatDuration(45 * 60_000)).toBe('about 45 min');
    expect(formatDuration(3 * 3600_000)).toBe('about 3.0 h');
  });
  it('time left: the engine’s figure counted down since it arrived, else the estimate since the start, never negative', () => {
    const estimate = { ms: 60_000, atMost: false, basis: 'measured' as const };
    expect(timeLeftMs(undefined, estimate, 1000, 11_000)).toBe(50_000);
    expect(timeLeftMs({ ms: 30_000, at: 20_000 }, estimate, 1000, 25_000)).toBe(25_000);
    expect(timeLeftMs({ ms: 3_000, at: 20_000 }, estimate, 1000, 99_000)).toBe(0);
    expect(timeLeftMs(undefined, null, 1000, 5000)).toBeNull();
  });
});
