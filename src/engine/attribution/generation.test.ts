import { describe, expect, it } from 'vitest';
import { loadTinyModel } from '../../testing/tinyModel';
import { attributeGeneration } from './generation';
import { attribute } from './heta';

describe('attributeGeneration on a compiled tiny Llama', async () => {
  const { ckpt, model } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const prompt = 'the cat sat on the';

  it('explains each generated token from everything before it, row by row', async () => {
    const rows: number[] = [];
    const progressRows = new Set<number>();
    const r = await attributeGeneration(model, prompt, 3, { m: 2, seed: 4 }, {
      onRow: (k) => rows.push(k),
      onProgress: (p) => progressRows.add(p.row),
    });
    expect(r.schema).toBe('heta-generation');
    expect(r.generated).toHaveLength(3);
    expect(rows).toEqual([0, 1, 2, 3]);
    expect([...progressRows]).toEqual([0, 1, 2, 3]);
    for (const [k, row] of r.rows.entries()) {
      const p = r.generated[k];
      expect(row.target).toMatchObject({ kind: 'position', position: p, id: r.tokens[p].id });
      expect(row.scores).toHaveLength(p);
      expect(row.tokens).toEqual(r.tokens);
      // The same row computed on its own, from the generated token sequence, is identical (same seed).
      const alone = await attribute(model, { text: r.text, tokens: r.tokens }, { kind: 'position', position: p }, { m: 2, seed: 4 });
      expect(row.scores).toEqual(alone.scores);
    }
    // The last row: the whole continuation as one span over the prompt; its log-probability is the sum of the rows' (teacher forcing, same tokens).
    const whole = r.continuation!;
    expect(whole.target).toMatchObject({ kind: 'span', position: r.generated[0], span: { end: r.generated[2] + 1, continuation: null } });
    expect(whole.scores).toHaveLength(r.generated[0]);
    const rowsLogprob = r.rows.reduce((s, row) => s + row.target.logprob, 0);
    expect(whole.target.span!.logprob).toBeCloseTo(rowsLogprob, 4);
  });

  it('rejects bad requests with clear messages and stops when cancelled', async () => {
    await expect(attributeGeneration(model, '   ', 2)).rejects.toThrow(/prompt is empty/);
    await expect(attributeGeneration(model, prompt, 0)).rejects.toThrow(/must be an integer from 1 to 64/);
    await expect(attributeGeneration(model, 'a '.repeat(ckpt.config.maxPositions + 5), 2)).rejects.toThrow(/no room to generate/);
    const controller = new AbortController();
    const done: number[] = [];
    const run = attributeGeneration(model, prompt, 4, { m: 1 }, { signal: controller.signal, onRow: (k) => (done.push(k), controller.abort()) });
    await expect(run).rejects.toThrow();
    expect(done).toEqual([0]);
  });
});
