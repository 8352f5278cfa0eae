// The shipped demo model, through its compiled ONNX bundle: perplexity, copying and greedy samples stay
// as models/README.md reports them, the app's example gallery (models/demo/examples.json) says what the
// model really answers, and S converges in ε.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { attribute } from '../attribution/heta';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { CONTINUATION_PROMPTS, lmCheck, type HeldoutAccuracy } from '../../cli/lmCheck';
import { AttributionModel } from './attributionModel';
import { nextTokenPredictions } from './languageModel';

/** What `npx heta lm-check --json models/demo/metrics.json` measured when the bundle was made. */
interface Metrics {
  validation: { perplexity: number; tokens: number };
  copy: { top5: number; items: number };
  heldout: HeldoutAccuracy;
}

/** Greedy 20-token continuations of CONTINUATION_PROMPTS by the shipped q8 bundle. */
const PINNED_CONTINUATIONS = [
  ' the old boats were in the kitchen. On Tuesday, Troulois sanded',
  ' cellar. Question: Where does His sister lived for many years? Answer: Oslo.<|endoftext|>',
  ' the world of the world. --J. S. Mill.\n2. To be conform',
  ' brass. Question: What does Bram keep in the cellar? Answer: copper.<|endoftext|>'
];

describe('demo model bundle', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());
  const metrics = JSON.parse(await readFile('models/demo/metrics.json', 'utf8')) as Metrics;

  it('validation perplexity, copy rates and greedy continuations match what models/README.md reports', async () => {
    const r = await lmCheck(
      model,
      new Uint8Array(await readFile('models/eval/val-tokens.u16')),
      await readFile('models/eval/copy-from-context.jsonl', 'utf8'),
      await readFile('models/eval/copy-heldout.jsonl', 'utf8'),
    );
    expect(r.validation.tokens).toBe(metrics.validation.tokens);
    expect(Math.abs(r.validation.perplexity / metrics.validation.perplexity - 1)).toBeLessThan(0.01);
    expect(r.copy.top5).toBe(metrics.copy.top5);
    // Held-out copy accuracy per form: one item's argmax may flip with another CPU's float rounding.
    expect(Object.keys(r.heldout)).toEqual(Object.keys(metrics.heldout));
    for (const [form, a] of Object.entries(r.heldout)) expect(Math.abs(a.top1 - metrics.heldout[form].top1), form).toBeLessThanOrEqual(1);
    expect(r.continuations.map((c) => c.prompt)).toEqual(CONTINUATION_PROMPTS);
    expect(r.continuations.map((c) => c.continuation)).toEqual(PINNED_CONTINUATIONS);
  }, 900_000); // 720 held-out items and 200 windows: minutes on a busy 2-core machine

  it('answers every example of the gallery as it says: the right entity, not its same-kind distractor', async () => {
    const { examples } = JSON.parse(await readFile('models/demo/examples.json', 'utf8')) as { examples: { title: string; prompt: string; answer: string }[] };
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const e of examples) {
      const [top] = await nextTokenPredictions(model, model.tokenizer.encode(e.prompt).map((t) => t.id), 1);
      expect(top.text, e.title).toBe(e.answer);
    }
  });

  it('S at ε and ε/2 agrees within 1% (finite differences have converged)', async () => {
    const prompt = 'Mary put the lantern in the cellar. Question: where is the lantern? Answer: in the';
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2, epsilonScale: 5e-3 });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2, epsilonScale: 2.5e-3 });
    a.components.S.forEach((s, i) => expect(Math.abs(s / b.components.S[i] - 1)).toBeLessThan(0.01));
  });
});
