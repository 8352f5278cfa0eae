// The compiler and the bundle loader refuse what would give silently wrong numbers: NaN/Inf weights,
// tensors the config does not use, tokenizers beyond the embedding, hostile file names, tampered or
// edited bundles, and positions tables sized by an absurd config.

import { describe, expect, it } from 'vitest';
import { attribute } from '../attribution/heta';
import { nonFiniteProblem } from '../attribution/finite';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { memorySource } from '../checkpoint/memorySource';
import { parseSafetensors } from '../checkpoint/safetensors';
import { MAX_CONTEXT_TOKENS } from '../limits';
import { AttributionModel, memoryBundleSource } from '../model/attributionModel';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { makeTinyCheckpoint, writeSafetensors, type TensorToWrite } from '../../testing/tinyCheckpoint';
import { compileBundle } from './bundle';
import { BUNDLE_FORMAT_VERSION, isPlainFileName, MANIFEST_FILE, parseBundleManifest } from './manifest';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
type Files = Record<string, Uint8Array>;

/** The checkpoint's tensors, edited by `edit`, written back. */
function withTensors(files: Files, edit: (t: Record<string, TensorToWrite>) => void): Files {
  const parsed = parseSafetensors(files['model.safetensors'], 'model.safetensors');
  const tensors: Record<string, TensorToWrite> = {};
  for (const name of parsed.entries.keys()) tensors[name] = parsed.getTensor(name);
  edit(tensors);
  return { ...files, 'model.safetensors': writeSafetensors(tensors) };
}
const withConfig = (files: Files, edit: (c: Record<string, unknown>) => void): Files => {
  const config = JSON.parse(decoder.decode(files['config.json']));
  edit(config);
  return { ...files, 'config.json': encoder.encode(JSON.stringify(config)) };
};
const compile = async (files: Files, quant: 'none' | 'q8' = 'q8') => compileBundle(await openCheckpoint(memorySource(files, 'ckpt')), { quant, modelId: 'tiny' });
const editManifest = (files: Map<string, Uint8Array>, edit: (m: Record<string, any>) => void) => {
  const m = JSON.parse(decoder.decode(files.get(MANIFEST_FILE)!));
  edit(m);
  return new Map([...files, [MANIFEST_FILE, encoder.encode(JSON.stringify(m))]]);
};

describe('the compiler refuses checkpoints that would give wrong numbers', () => {
  const llama = makeTinyCheckpoint({ family: 'llama', seed: 3 });

  it('NaN or Inf weights, naming the tensor', async () => {
    const nan = withTensors(llama, (t) => (t['model.layers.1.self_attn.k_proj.weight'].data[7] = NaN));
    await expect(compile(nan)).rejects.toThrow(/tensor "model\.layers\.1\.self_attn\.k_proj\.weight" holds 1 non-finite value\(s\) \(first: NaN at element 7\)/);
    const inf = withTensors(llama, (t) => t['model.norm.weight'].data.fill(-Infinity));
    await expect(compile(inf)).rejects.toThrow(/tensor "model\.norm\.weight" holds 32 non-finite value\(s\) \(first: -Infinity/);
  });

  it('tensors the config does not use (fewer layers than the weights), but not known buffers', async () => {
    const fewer = withConfig(llama, (c) => (c.num_hidden_layers = 1));
    await expect(compile(fewer)).rejects.toThrow(/the checkpoint has 9 tensor\(s\) the model described by config\.json does not use: model\.layers\.1\..*Does config\.json match the weights/);
    // GPT-2's causal-mask buffers and Llama's inv_freq are harmless and ignored, as transformers does.
    const gpt2 = withTensors(makeTinyCheckpoint({ family: 'gpt2' }), (t) => {
      t['transformer.h.0.attn.bias'] = { shape: [1, 1, 64, 64], data: new Float32Array(64 * 64).fill(1) };
      t['transformer.h.0.attn.masked_bias'] = { shape: [], data: Float32Array.of(-1e4) };
    });
    await expect(compile(gpt2)).resolves.toBeDefined();
    const invFreq = withTensors(llama, (t) => (t['model.layers.0.self_attn.rotary_emb.inv_freq'] = { shape: [4], data: new Float32Array(4).fill(1) }));
    await expect(compile(invFreq)).resolves.toBeDefined();
  });

  it('a tokenizer with ids beyond the embedding', async () => {
    const small = withTensors(withConfig(llama, (c) => Object.assign(c, { vocab_size: 300, bos_token_id: 0, eos_token_id: 0 })), (t) => {
      t['model.embed_tokens.weight'] = { shape: [300, 32], data: t['model.embed_tokens.weight'].data.slice(0, 300 * 32) };
      t['lm_head.weight'] = { shape: [300, 32], data: t['lm_head.weight'].data.slice(0, 300 * 32) };
    });
    await expect(compile(small)).rejects.toThrow(/ckpt: tokenizer\.json has token ids up to 31\d, but the model's embedding has only 300 rows/);
  });

  it('sizes position tables to MAX_CONTEXT_TOKENS whatever max_position_embeddings claims', async () => {
    const started = performance.now();
    const huge = await compile(withConfig(llama, (c) => (c.max_position_embeddings = 1e15)));
    const normal = await compile(llama);
    expect(huge.manifest.config.maxPositions).toBe(MAX_CONTEXT_TOKENS);
    // RoPE tables are √-sized: the 1e15 config adds a few KiB over the 64-position one, not gigabytes.
    expect(huge.manifest.weights.bytes - normal.manifest.weights.bytes).toBeLessThan(64 * 1024);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('heta.json is checked before anything it names is read', () => {
  it('file names must be plain names inside the bundle folder', () => {
    for (const ok of ['weights.bin', 'tokenizer_config.json', 'hessianProbe.onnx', 'a-b_c.1']) expect(isPlainFileName(ok)).toBe(true);
    for (const bad of ['../../../../etc/passwd', '/etc/passwd', 'https://tracker.example/pixel.onnx', '//cdn.example/w.bin', 'sub/w.bin', 'sub\\w.bin', 'C:w.bin', '..', '.', '.hidden', '%2e%2e%2fw.bin', 'w.bin?x=1', 'w.bin#f', '', 'a'.repeat(200), 'w..bin']) {
      expect(isPlainFileName(bad), bad).toBe(false);
    }
  });

  it('refuses hostile names, old formats and missing integrity records with a clear message', async () => {
    const { files } = await compile(makeTinyCheckpoint({ family: 'gpt2' }));
    const parse = (f: Map<string, Uint8Array>) => parseBundleManifest(f.get(MANIFEST_FILE)!, 'b');
    expect(parse(files).files['weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(parse(files).files).sort()).toEqual([...files.keys()].filter((n) => n !== MANIFEST_FILE).sort());
    expect(() => parse(editManifest(files, (m) => (m.weights.file = '../../../../etc/passwd')))).toThrow(
      /b: heta\.json names the file "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" \(weights\.file\), which is not a plain file name inside the bundle folder: refusing to read or download it\. Bundle files must be plain names such as weights\.bin/,
    );
    expect(() => parse(editManifest(files, (m) => (m.model.file = 'https://tracker.example/pixel.onnx')))).toThrow(/names the file "https:\/\/tracker\.example\/pixel\.onnx" \(model\.file\)/);
    expect(() => parse(editManifest(files, (m) => (m.tokenizer.file = '//cdn.example/t.json')))).toThrow(/\(tokenizer\.file\)/);
    expect(() => parse(editManifest(files, (m) => (m.files['../x'] = { bytes: 1, sha256: '0'.repeat(64) })))).toThrow(/names the file "\.\.\/x" \(files\)/);
    expect(() => parse(editManifest(files, (m) => delete m.files['weights.bin']))).toThrow(/names weights\.bin \(weights\.file\) but has no size and SHA-256 for it/);
    // Only files listed in `files` itself count (not names every object inherits).
    expect(() => parse(editManifest(files, (m) => (m.model.file = 'constructor')))).toThrow(/names constructor \(model\.file\) but has no size and SHA-256 for it/);
    expect(() => parse(editManifest(files, (m) => ((m.formatVersion = 2), delete m.files)))).toThrow(
      new RegExp(`bundle format version 2 is from an older heta \\(no integrity record\\); this build reads version ${BUNDLE_FORMAT_VERSION}\\. Recompile it: npx heta convert`),
    );
    expect(() => parse(editManifest(files, (m) => (m.formatVersion = 3)))).toThrow(
      /bundle format version 3 is from an older heta \(one graph file per pass, each holding its own copy of the weights\); this build reads version 5\. Recompile it: npx heta convert <checkpoint-dir> <bundle-dir> --force/,
    );
    expect(() => parse(editManifest(files, (m) => (m.config.maxPositions = 1e15)))).toThrow(/config\.maxPositions must be an integer from 1 to 32768/);
  });

  it('a corrupted, swapped or edited bundle fails to load with a message naming the file', async () => {
    const { files } = await compile(makeTinyCheckpoint({ family: 'llama', gqa: true, seed: 4 }));
    const runtime = await createNodeRuntime({ threads: 1 });
    const load = (f: Map<string, Uint8Array>) => AttributionModel.load(memoryBundleSource(f, 'b'), runtime);
    const flipped = new Uint8Array(files.get('weights.bin')!);
    flipped[100] ^= 1;
    await expect(load(new Map([...files, ['weights.bin', flipped]]))).rejects.toThrow(/b: weights\.bin does not match heta\.json \(SHA-256 [0-9a-f]{12}…, expected [0-9a-f]{12}…\): the file is corrupted or was changed/);
    const other = (await compile(makeTinyCheckpoint({ family: 'gpt2' }))).files;
    await expect(load(new Map([...files, ['tokenizer.json', other.get('tokenizer.json')!]]))).rejects.toThrow(/b: tokenizer\.json (has \d+ bytes|does not match)/);
    await expect(load(editManifest(files, (m) => (m.config.numHeads = 2)))).rejects.toThrow(/b: model\.onnx declares inspect's attention as \[2, 4, seq, seq\] but heta\.json's config implies \[2, 2, \*, \*\]/);
    await expect(load(editManifest(files, (m) => (m.config.vocabSize = 400)))).rejects.toThrow(/declares forward's logits as \[batch, rows, 320\] but heta\.json's config implies \[\*, \*, 400\]/);
    await expect(load(editManifest(files, (m) => Object.assign(m.config, { vocabSize: 300, bosTokenId: 0, eosTokenId: 0 })))).rejects.toThrow(/b: tokenizer\.json has token ids up to 31\d, but the model's embedding has only 300 rows/);
    const model = await load(files);
    await expect(attribute(model, 'Hello world', { kind: 'next' }, { mask: { kind: 'token', id: 5000 } })).rejects.toThrow(/mask token id 5000 is not in tiny's vocabulary \(0 … 319\)/);
    await expect(attribute(model, 'Hello world', { kind: 'next' }, { m: 1_000_000 })).rejects.toThrow(/m must be an integer from 1 to 256/);
    await model.release();
  });
});

describe('attribution never ranks non-finite values', () => {
  it('names the component and positions', () => {
    expect(nonFiniteProblem({ M: [0.1, 0.2], S: [1, NaN, 2, Infinity], I: [0, 0, 0, 0] })).toMatch(/non-finite values \(NaN or Inf\): S\[1, 3\]\. No scores are ranked/);
    expect(nonFiniteProblem({ M: [1], S: [2], I: [3] })).toBeNull();
  });

  it('a model whose activations overflow gives an error, not NaN scores', async () => {
    // Finite but absurd weights (3e38) overflow float32 inside the network.
    const files = withTensors(makeTinyCheckpoint({ family: 'llama', seed: 3 }), (t) => t['model.layers.0.mlp.up_proj.weight'].data.fill(3e38));
    const model = await AttributionModel.load(memoryBundleSource((await compile(files, 'none')).files), await createNodeRuntime({ threads: 1 }));
    await expect(attribute(model, 'Hello world the fox', { kind: 'next' }, { m: 2 })).rejects.toThrow(/the model produced non-finite values \(NaN or Inf\): logits\[0, 1, 2, 3, 4 and \d+ more\]/);
    await model.release();
  });
});
