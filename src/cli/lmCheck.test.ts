// `heta lm-check` on the shipped demo bundle: perplexity, copying and greedy samples stay as
// models/README.md and models/demo/metrics.json report them.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AttributionModel } from '../engine/model/attributionModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { bundleDirSource } from '../node/bundleFiles';
import { CONTINUATION_PROMPTS, lmCheck, type HeldoutAccuracy } from './lmCheck';

/** What `npx heta lm-check --json models/demo/metrics.json` measured when the bundle was made. */
interface Metrics {
  validation: { perplexity: number; tokens: number };
  copy: { top5: number; items: number };
  heldout: HeldoutAccuracy;
}

/** Greedy 20-token continuations of CONTINUATION_PROMPTS by the shipped q8 bundle. */
const PINNED_CONTINUATIONS = [
  ' the paintings were in the kitchen.<|endoftext|>The guests, in order, were Tr',
  ' cellar. Question: Where did His sister lived for many years? Answer: Oslo.<|endoftext|>',
  ' the world. In the end, Preroda Klarrei lost the p',
  ' brass. Question: What does Bram keep in the cellar? Answer: copper.<|endoftext|>'
];

describe('lm-check on the demo bundle', async () => {
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
});
