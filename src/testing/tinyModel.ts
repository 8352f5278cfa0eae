// A random tiny checkpoint compiled to a bundle and loaded on onnxruntime-node, with its float32
// tensors for the independent reference forward: the setup most engine tests share.

import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { memorySource } from '../engine/checkpoint/memorySource';
import type { Tensor } from '../engine/checkpoint/types';
import { compileBundle } from '../engine/compiler/bundle';
import { AttributionModel, memoryBundleSource } from '../engine/model/attributionModel';
import type { QuantScheme } from '../engine/quant/quantize';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { makeTinyCheckpoint, type TinyCheckpointOptions } from './tinyCheckpoint';

export async function loadTinyModel(options: TinyCheckpointOptions, quant: QuantScheme = 'none') {
  const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options), 'tiny'));
  const bundle = await compileBundle(ckpt, { quant, modelId: `tiny-${options.family}` });
  const model = await AttributionModel.load(memoryBundleSource(bundle.files), await createNodeRuntime());
  const tensors = new Map<string, Tensor>();
  for (const name of ckpt.tensorNames) tensors.set(name, await ckpt.getTensor(name));
  const lookup = (name: string): Tensor => {
    const t = tensors.get(name);
    if (!t) throw new Error(`tiny checkpoint has no tensor ${name}`);
    return t;
  };
  return { ckpt, bundle, model, lookup };
}
