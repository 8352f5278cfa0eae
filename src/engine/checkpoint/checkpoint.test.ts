import { describe, expect, it } from 'vitest';
import { makeTinyCheckpoint, writeSafetensors } from '../../testing/tinyCheckpoint';
import { expectShape, openCheckpoint, type CheckpointProgress } from './checkpoint';
import { CheckpointError } from './errors';
import { memorySource } from './memorySource';
import type { FileSource } from './types';

async function expectRejects(promise: Promise<unknown>, ...fragments: string[]): Promise<CheckpointError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
  return error as CheckpointError;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Wraps a source to count reads per file. */
function countingSource(inner: FileSource): FileSource & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    label: inner.label,
    reads,
    has: (name) => inner.has(name),
    read: (name) => {
      reads.set(name, (reads.get(name) ?? 0) + 1);
      return inner.read(name);
    },
  };
}

describe('openCheckpoint', () => {
  it('opens a single-file checkpoint', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', gqa: true, tied: false });
    const events: CheckpointProgress[] = [];
    const ckpt = await openCheckpoint(memorySource(files, 'tiny-llama'), (p) => events.push(p));
    expect(ckpt.label).toBe('tiny-llama');
    expect(ckpt.config).toMatchObject({ architecture: 'llama', numHeads: 4, numKvHeads: 2, hiddenSize: 32 });
    expect(ckpt.rawConfig.model_type).toBe('llama');
    expect(ckpt.tokenizerJson).toMatchObject({ model: { type: 'BPE' } });
    expect(ckpt.tokenizerConfig).toMatchObject({ eos_token: '<|end_of_text|>' });
    expect(ckpt.files).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);
    expect(ckpt.tensorNames).toContain('lm_head.weight');
    expect(ckpt.tensorNames).toEqual([...ckpt.tensorNames].sort());
    const k = await ckpt.getTensor('model.layers.0.self_attn.k_proj.weight', [16, 32]);
    expect(k.data.length).toBe(16 * 32);
    await expectRejects(ckpt.getTensor('model.layers.0.self_attn.k_proj.weight', [32, 32]), 'shape [16, 32], expected [32, 32]');
    await expectRejects(ckpt.getTensor('model.nope'), 'tiny-llama', 'no tensor named "model.nope"');
    expect(events.filter((e) => e.kind === 'read').map((e) => e.file).sort()).toEqual([...ckpt.files].sort());
  });

  it('hashes every file with SHA-256 and derives a fingerprint', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt2' });
    const ckpt = await openCheckpoint(memorySource(files));
    const hashes = await ckpt.sha256();
    expect(Object.keys(hashes)).toEqual(ckpt.files);
    for (const hash of Object.values(hashes)) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Known vector: SHA-256 of the exact config.json bytes, computed independently.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', files['config.json']! as Uint8Array<ArrayBuffer>));
    expect(hashes['config.json']).toBe(Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
    // And a fixed vector, so a broken digest helper cannot agree with itself.
    const abc = await openCheckpoint(memorySource({ ...files, 'tokenizer_config.json': new TextEncoder().encode('{}') }));
    expect((await abc.sha256())['tokenizer_config.json']).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    const fingerprint = await ckpt.fingerprint();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const other = await openCheckpoint(memorySource(makeTinyCheckpoint({ family: 'gpt2', seed: 2 })));
    expect(await other.fingerprint()).not.toBe(fingerprint);
  });

  it('loads sharded checkpoints lazily, reading each shard once', async () => {
    const files = makeTinyCheckpoint({ family: 'qwen2', sharded: true, dtype: 'BF16' });
    const plain = makeTinyCheckpoint({ family: 'qwen2', dtype: 'BF16' });
    const source = countingSource(memorySource(files, 'tiny-qwen'));
    const ckpt = await openCheckpoint(source);
    expect(ckpt.files).toEqual([
      'config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json',
      'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors',
    ]);
    expect(source.reads.has('model-00001-of-00002.safetensors')).toBe(false);
    const reference = await openCheckpoint(memorySource(plain));
    expect(ckpt.tensorNames).toEqual(reference.tensorNames);
    for (const name of ckpt.tensorNames) {
      expect(await ckpt.getTensor(name)).toEqual(await reference.getTensor(name));
    }
    await ckpt.sha256();
    expect(source.reads.get('model-00001-of-00002.safetensors')).toBe(1);
    expect(source.reads.get('model-00002-of-00002.safetensors')).toBe(1);
  });

  it('reports missing files, naming them and the source', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt2' });
    const without = (name: string) => Object.fromEntries(Object.entries(files).filter(([n]) => n !== name));
    await expectRejects(openCheckpoint(memorySource(without('config.json'), '/models/x')), '/models/x', 'missing config.json');
    await expectRejects(openCheckpoint(memorySource(without('tokenizer.json'), '/models/x')), 'missing tokenizer.json');
    await expectRejects(openCheckpoint(memorySource(without('model.safetensors'), '/models/x')),
      'missing model.safetensors or model.safetensors.index.json');
    const torchOnly = { ...without('model.safetensors'), 'pytorch_model.bin': new Uint8Array(1) };
    await expectRejects(openCheckpoint(memorySource(torchOnly)), 'pytorch_model.bin', 'only safetensors');
    // tokenizer_config.json is optional.
    expect((await openCheckpoint(memorySource(without('tokenizer_config.json')))).tokenizerConfig).toBeNull();
  });

  it('reports a shard the index names but the folder lacks', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', sharded: true });
    delete files['model-00002-of-00002.safetensors'];
    await expectRejects(openCheckpoint(memorySource(files, 'tiny')), 'tiny', 'missing shard(s): model-00002-of-00002.safetensors');
  });

  it('reports a tensor that is not in the shard the index claims', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', sharded: true });
    const index = JSON.parse(new TextDecoder().decode(files['model.safetensors.index.json']));
    index.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    index.weight_map['model.layers.0.mlp.up_proj.weight'] = 'model-00002-of-00002.safetensors';
    files['model.safetensors.index.json'] = json(index);
    const ckpt = await openCheckpoint(memorySource(files, 'tiny'));
    await expectRejects(ckpt.getTensor('model.embed_tokens.weight'), 'says tensor', 'model-00001-of-00002.safetensors', 'does not contain');
  });

  it('rejects malformed indexes and JSON files', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', sharded: true });
    await expectRejects(openCheckpoint(memorySource({ ...files, 'model.safetensors.index.json': json({}) })), 'no "weight_map"');
    await expectRejects(
      openCheckpoint(memorySource({ ...files, 'model.safetensors.index.json': json({ weight_map: { w: '../secret' } }) })),
      'invalid shard name "../secret"',
    );
    await expectRejects(openCheckpoint(memorySource({ ...files, 'config.json': new TextEncoder().encode('{oops') })),
      'config.json is not valid JSON');
    await expectRejects(openCheckpoint(memorySource({ ...files, 'config.json': json({ architectures: ['BertModel'] }) })),
      'unsupported architecture BertModel');
  });

  it('surfaces safetensors errors with the file name', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt2' });
    files['model.safetensors'] = files['model.safetensors']!.subarray(0, files['model.safetensors']!.length - 10);
    await expectRejects(openCheckpoint(memorySource(files)), 'model.safetensors', 'outside the data section');
  });

  it('accepts base-model tensor names without the transformer./model. prefix', async () => {
    const files = makeTinyCheckpoint({ family: 'gpt2' });
    const ckpt = await openCheckpoint(memorySource(files));
    const bare: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const name of ckpt.tensorNames) bare[name.replace(/^transformer\./, '')] = await ckpt.getTensor(name);
    const renamed = await openCheckpoint(memorySource({ ...files, 'model.safetensors': writeSafetensors(bare) }));
    expect(renamed.tensorNames).toEqual(ckpt.tensorNames);
    expect(await renamed.getTensor('transformer.wte.weight')).toEqual(await ckpt.getTensor('transformer.wte.weight'));
  });
});

describe('expectShape', () => {
  it('passes matching shapes through and names mismatches', () => {
    const t = { shape: [2, 3], data: new Float32Array(6) };
    expect(expectShape(t, [2, 3], 'w')).toBe(t);
    expect(() => expectShape(t, [3, 2], 'w')).toThrow(/tensor "w" has shape \[2, 3\], expected \[3, 2\]/);
    expect(() => expectShape(t, [2, 3, 1], 'w')).toThrow(CheckpointError);
  });
});
