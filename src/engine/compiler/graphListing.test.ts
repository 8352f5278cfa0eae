// What the compiler emits, as text under version control: for the first tiny fixture of each family (and
// the q8 and q4 forms of one), the bundle's model.onnx listed node by node (src/testing/onnxListing.ts),
// If branches included. A change to the emitted graphs then shows in review as a diff of these files;
// `npx vitest run src/engine/compiler/graphListing.test.ts -u` rewrites them after an intended change.

import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { memorySource } from '../checkpoint/memorySource';
import type { QuantScheme } from '../quant/quantize';
import { onnxListing } from '../../testing/onnxListing';
import { makeTinyCheckpoint, type TinyCheckpointOptions } from '../../testing/tinyCheckpoint';
import { TINY_FIXTURES } from '../../testing/tinyFixtures';
import { compileBundle } from './bundle';

const firstOfEachFamily = TINY_FIXTURES.filter(([, o], i) => TINY_FIXTURES.findIndex(([, p]) => p.family === o.family) === i);
const quantized = TINY_FIXTURES.find(([, o]) => o.family === 'llama')!;

const cases: [string, TinyCheckpointOptions, QuantScheme][] = [
  ...firstOfEachFamily.map(([name, o]): [string, TinyCheckpointOptions, QuantScheme] => [name, o, 'none']),
  [`${quantized[0]}, q8`, quantized[1], 'q8'],
  [`${quantized[0]}, q4`, quantized[1], 'q4'],
];

describe('emitted graphs', () => {
  it.each(cases)('%s', async (name, options, quant) => {
    const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options), 'tiny'));
    const bundle = await compileBundle(ckpt, { quant, modelId: 'tiny' });
    const listing = `${name}\n${onnxListing(bundle.files.get(bundle.manifest.model.file)!)}`;
    await expect(listing).toMatchFileSnapshot(`__snapshots__/graphs/${options.family}${quant === 'none' ? '' : `.${quant}`}.txt`);
  });
});
