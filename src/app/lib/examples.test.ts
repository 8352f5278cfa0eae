// The gallery's claims hold for the shipped demo model: each example's answer is the bundle's top-1
// prediction (copying the right entity past its same-kind distractor), through the compiled ONNX graphs.

import { describe, expect, it } from 'vitest';
import { AttributionModel } from '../../engine/model/attributionModel';
import { nextTokenPredictions } from '../../engine/model/languageModel';
import { createNodeRuntime } from '../../engine/runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { EXAMPLES, exampleFor } from './examples';

describe('example gallery', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());

  it.each(EXAMPLES.map((e) => [e.title, e] as const))('%s: the demo model answers as the gallery says', async (_, e) => {
    const [top] = await nextTokenPredictions(model, model.tokenizer.encode(e.prompt).map((t) => t.id), 1);
    expect(top.text).toBe(e.answer);
  });

  it('finds an example only by its exact prompt', () => {
    expect(exampleFor(EXAMPLES[1].prompt)).toBe(EXAMPLES[1]);
    expect(exampleFor(EXAMPLES[1].prompt + ' ')).toBeUndefined();
  });
});
