// compareMethods (the comparison view's worker job) against the parts it is made of: each row equals the
// method computed on its own context, each curve equals the faithfulness harness's deletion curve, rows
// arrive in order as they finish, a provided HETA result is reused, and an abort stops it.

import { describe, expect, it } from 'vitest';
import { attribute } from '../attribution/heta';
import { AttributionContext } from '../baselines/context';
import { methodById } from '../baselines/methods';
import { faithfulness } from '../metrics/evaluate';
import { aopc, CURVE_FRACTIONS } from '../metrics/faithfulness';
import { loadTinyModel } from '../../testing/tinyModel';
import { compareMethods, type CompareRow } from './compare';

describe('compareMethods', async () => {
  const { model } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const prompt = 'the cat sat on the mat and';
  const heta = { m: 2, seed: 1 };

  it('span and contrast targets: every method explains the same g; a contrast’s occlusion is HETA’s log-odds shift', async () => {
    const contrastTarget = { kind: 'contrast', target: { kind: 'next' }, foilText: ' the' } as const;
    const provided = await attribute(model, prompt, contrastTarget, heta);
    const c = await compareMethods(model, prompt, contrastTarget, ['heta', 'occlusion', 'saliency'], { heta, provided });
    expect(c.target.logprob).toBeCloseTo(provided.target.g!, 5);
    expect(c.rows[0].scores).toEqual(provided.scores);
    c.rows[1].scores.forEach((v, i) => expect(v).toBeCloseTo(provided.components.logOddsShift![i], 5));
    const span = await attribute(model, prompt, { kind: 'span', continuation: ' a dog' }, heta);
    const s = await compareMethods(model, prompt, { kind: 'span', continuation: ' a dog' }, ['heta', 'ig'], { heta, provided: span });
    expect(s.target.logprob).toBeCloseTo(span.target.span!.logprob, 5);
    expect(s.rows[1].scores).toHaveLength(span.target.position);
  });

  it('rows arrive one by one, in the order asked, each equal to the method and curve computed alone', async () => {
    const seen: [number, CompareRow][] = [];
    const progress = new Set<number>();
    const ids = ['occlusion', 'saliency', 'heta', 'rollout'];
    const c = await compareMethods(model, prompt, { kind: 'next' }, ids, { heta, onRow: (row, k) => seen.push([k, row]), onProgress: (k) => progress.add(k) });
    expect(seen.map(([k, r]) => [k, r.method])).toEqual(ids.map((id, k) => [k, id]));
    expect(c.rows.map((r) => r.method)).toEqual(ids);
    expect(c.fractions).toEqual(CURVE_FRACTIONS);
    expect([...progress].sort()).toEqual([0, 1, 2, 3]);
    const alone = await AttributionContext.create(model, prompt, { kind: 'next' }, { heta });
    expect(c.target).toEqual({ id: alone.targetId, position: alone.p, logprob: alone.g });
    for (const row of c.rows) {
      const scores = Array.from(await methodById(row.method).compute(alone));
      expect(row.scores).toHaveLength(alone.p);
      row.scores.forEach((v, i) => expect(v).toBeCloseTo(scores[i], 6));
      const f = await faithfulness(alone, scores, { draws: 1, seed: 0 });
      expect(row.deletion).toHaveLength(CURVE_FRACTIONS.length);
      row.deletion.forEach((v, k) => expect(v).toBeCloseTo(f.deletion[k], 6));
      expect(row.aopc).toBeCloseTo(aopc(row.deletion), 12);
    }
  });

  it('HETA and its ablations reuse a provided attribution (an in-text target)', async () => {
    const target = { kind: 'position' as const, position: 4 };
    const provided = await attribute(model, prompt, target, { ...heta, seed: 9 });
    const c = await compareMethods(model, prompt, target, ['heta', 'heta-s'], { heta, provided });
    expect(c.rows[0].scores).toEqual(provided.scores);
    expect(c.rows[1].scores).toEqual(provided.components.S);
    expect(c.target.position).toBe(4);
  });

  it('an abort stops it between passes', async () => {
    const controller = new AbortController();
    const rows: string[] = [];
    const run = compareMethods(model, prompt, { kind: 'next' }, ['occlusion', 'ig', 'contextcite'], {
      heta,
      signal: controller.signal,
      onRow: (row) => {
        rows.push(row.method);
        controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(rows).toEqual(['occlusion']);
  });
});
