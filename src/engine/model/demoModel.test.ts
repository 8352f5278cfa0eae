// The shipped demo model, through its compiled ONNX bundle: the app's example gallery
// (models/demo/examples.json) says what the model really answers, and S converges in ε. (Its perplexity,
// copying and greedy samples are checked by src/cli/lmCheck.test.ts, through `heta lm-check`'s code.)

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { attribute } from '../attribution/heta';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { AttributionModel } from './attributionModel';
import { nextTokenPredictions } from './languageModel';

describe('demo model bundle', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());

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
