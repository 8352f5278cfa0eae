import { describe, expect, it } from 'vitest';
import { referenceForward64 } from '../../testing/referenceForward';
import { loadTinyModel } from '../../testing/tinyModel';
import { generateContinuation } from './languageModel';

describe('generateContinuation on a compiled tiny Llama', async () => {
  const { ckpt, model, lookup } = await loadTinyModel({ family: 'llama', gqa: true, seed: 5 });
  const V = ckpt.config.vocabSize;

  it('appends the greedy tokens of an independent float64 forward, as text with offsets', async () => {
    const prompt = 'the cat sat on the';
    const g = await generateContinuation(model, prompt, 5);
    expect(g.text.startsWith(prompt)).toBe(true);
    expect(g.text.length).toBeGreaterThan(prompt.length);
    const promptTokens = model.tokenizer.encode(prompt);
    expect(g.tokens.slice(0, promptTokens.length)).toEqual(promptTokens);
    expect(g.generated).toEqual([0, 1, 2, 3, 4].map((k) => promptTokens.length + k));
    expect(g.tokens).toHaveLength(promptTokens.length + 5);
    // The spans tile the continuation: concatenated token texts rebuild the text.
    expect(g.tokens.map((t) => (t.special ? '' : t.text)).join('')).toBe(g.text);
    const x = await model.embed(g.tokens.map((t) => t.id));
    const logits = referenceForward64(ckpt.config, lookup, x, g.tokens.length).logits;
    for (const p of g.generated) {
      const row = logits.subarray((p - 1) * V, p * V);
      const argmax = row.indexOf(Math.max(...row));
      expect(g.tokens[p].id).toBe(argmax);
      expect(g.text.slice(g.tokens[p].start, g.tokens[p].end)).toBe(g.tokens[p].text);
    }
  });

  it('stops at the context length', async () => {
    const g = await generateContinuation(model, 'a b', ckpt.config.maxPositions + 10);
    expect(g.tokens).toHaveLength(ckpt.config.maxPositions);
  });
});
