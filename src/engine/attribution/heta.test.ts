// HETA against independent computations: direct masked passes with a float64 reference forward, and the
// invariants the spec pins down. S against an analytic Hessian, in every probing mode: adaptive.test.ts.

import type { AttributionResult } from './schema';
import { describe, expect, it } from 'vitest';
import { loadTinyModel } from '../../testing/tinyModel';
import { referenceForward64 } from '../../testing/referenceForward';
import { klDivergence } from './components';
import { logSoftmax } from '../model/languageModel';
import { attribute } from './heta';
import { AttributionError } from './target';

describe('HETA on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const prompt = 'the cat sat on the mat because it was warm';

  it('M sums to 1; M, S, I are finite and non-negative; scores follow M·(βS+γI)', async () => {
    const r = await attribute(model, prompt, { kind: 'next' }, { m: 3, beta: 0.3, gamma: 0.9 });
    const p = r.target.position;
    expect(r.components.M).toHaveLength(p);
    expect(Math.abs(r.components.M.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-9);
    for (const key of ['M', 'S', 'I', 'S_stderr'] as const) {
      for (const v of r.components[key]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
    }
    r.scores.forEach((score, i) => expect(score).toBeCloseTo(r.components.M[i] * (0.3 * r.components.S[i] + 0.9 * r.components.I[i]), 12));
    expect(r.passes.gradient).toBe(2 * p * 3);
  });

  it('I equals KL of a direct masked reference forward', async () => {
    const r = await attribute(model, prompt, { kind: 'position', position: 6 }, { m: 1 });
    const p = 6;
    const { hiddenSize: d, vocabSize: V } = ckpt.config;
    const x = await model.embed(r.tokens.slice(0, p).map((t) => t.id));
    const clean = logSoftmax(referenceForward64(ckpt.config, lookup, x, p).logits.subarray((p - 1) * V, p * V));
    expect(r.target.id).toBe(r.tokens[6].id);
    for (let i = 0; i < p; i++) {
      const masked = Float64Array.from(x);
      masked.fill(0, i * d, (i + 1) * d);
      const kl = klDivergence(clean, logSoftmax(referenceForward64(ckpt.config, lookup, masked, p).logits.subarray((p - 1) * V, p * V)));
      expect(Math.abs(r.components.I[i] - kl)).toBeLessThan(1e-5 + 1e-3 * kl);
    }
  });

  it('S from the in-graph probe pass (cached prefix) equals host differences of full gradient passes', async () => {
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2 }, { prefixReuse: true });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2 }, { prefixReuse: false });
    a.components.S.forEach((s, i) => expect(Math.abs(s - b.components.S[i])).toBeLessThan(1e-3 * Math.max(...b.components.S)));
  });

  it('same seed gives identical results, another seed other probes', async () => {
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 7 }, { dumpProbes: true });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 7 }, { dumpProbes: true });
    const c = await attribute(model, prompt, { kind: 'next' }, { m: 2, seed: 8 }, { dumpProbes: true });
    expect(b.scores).toEqual(a.scores);
    expect(b.components.S).toEqual(a.components.S);
    expect(b.probes).toEqual(a.probes);
    expect(c.probes).not.toEqual(a.probes);
  });

  it('streams S token by token, largest gate M first, with the time left, and can be cancelled', async () => {
    const phases: string[] = [];
    const controller = new AbortController();
    let partial: AttributionResult | undefined;
    let remainingMs: number | null = null;
    const run = attribute(model, prompt, { kind: 'next' }, { m: 5 }, {
      signal: controller.signal,
      partialIntervalMs: 0,
      onProgress: (p) => {
        phases.push(`${p.phase}:${p.done}`);
        if (p.phase === 'hessian' && p.done === 5) {
          ({ partial, remainingMs } = p);
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(phases).toContain('inspect:1');
    expect(phases).toContain('hessian:5');
    expect(phases).not.toContain('hessian:10');
    // One token is done, with all m probes: the one with the largest M; no other has an S yet.
    const { M, S, I } = partial!.components;
    const counts = partial!.sensitivity!.probesPerToken;
    const first = M.indexOf(Math.max(...M));
    expect(counts[first]).toBe(5);
    counts.forEach((n, i) => i !== first && expect(n).toBe(0));
    expect(S[first]).toBeGreaterThan(0);
    expect(I.some((v) => v > 0)).toBe(true);
    // Its S is already the final value: the same run to the end gives the same number.
    const full = await attribute(model, prompt, { kind: 'next' }, { m: 5 });
    expect(S[first]).toBe(full.components.S[first]);
    expect(remainingMs).toBeGreaterThan(0);
  });

  it('rejects bad input with clear messages', async () => {
    await expect(attribute(model, '   ', { kind: 'next' })).rejects.toThrow(/prompt is empty/);
    await expect(attribute(model, prompt, { kind: 'position', position: 0 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'position', position: 999 })).rejects.toThrow(/out of range/);
    await expect(attribute(model, prompt, { kind: 'next', tokenId: 10 ** 6 })).rejects.toThrow(AttributionError);
    const long = 'word '.repeat(ckpt.config.maxPositions + 5);
    await expect(attribute(model, long, { kind: 'next' })).rejects.toThrow(/reads at most/);
  });
});
