// Seeded fuzzing of everything a user can hand the tool: safetensors headers, config.json, heta.json
// and tokenizer files, mutated thousands of times. Every case must end in a valid result or one of the
// engine's own errors with a message (never a TypeError, RangeError from deep inside, a hang or a crash).
// Bounded by case counts (a few seconds in all), not by time.

import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint/checkpoint';
import { parseModelConfig } from './checkpoint/config';
import { CheckpointError } from './checkpoint/errors';
import { memorySource } from './checkpoint/memorySource';
import { parseSafetensors } from './checkpoint/safetensors';
import { compileBundle } from './compiler/bundle';
import { BundleError, parseBundleManifest } from './compiler/manifest';
import { checkTokenizerVocabulary, openTokenizer, TokenizerError } from './tokenizer/tokenizer';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { Rng } from '../testing/random';

const CLEAR_ERRORS = [CheckpointError, BundleError, TokenizerError];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Values a hostile file might put anywhere. */
const NASTY: unknown[] = [
  null, true, false, 0, -1, 1, 1.5, 2 ** 53, 1e15, 1e308, -1e308, '', 'x', '../../etc/passwd', 'https://tracker.example/p.onnx',
  '//cdn.example/x', '/etc/passwd', 'C:\\x', '%2e%2e%2fx', [], [1, 2], {}, { a: 1 }, 'F32', 'NaN', '\u0000',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (as key lists) into a JSON value, up to `limit` of them. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 4000): (string | number)[][] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.slice(0, 40).forEach((v, i) => paths(v, [...prefix, i], out, limit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, limit);
  return out;
}

/** One structural mutation of a JSON value: replace, delete or retype a random node. */
function mutateJson(value: Json, rng: Rng): Json {
  const copy = structuredClone(value);
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return NASTY[rng.int(NASTY.length)] as Json;
  const path = all[rng.int(all.length)];
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key];
  const key = path[path.length - 1];
  const container = parent as Record<string | number, Json>;
  const op = rng.int(4);
  if (op === 0 && !Array.isArray(parent)) delete container[key];
  else if (op === 1 && typeof container[key] === 'number') container[key] = (container[key] as number) * [0, -1, 2, 1000, 1e12][rng.int(5)];
  else container[key] = structuredClone(NASTY[rng.int(NASTY.length)]) as Json;
  return copy;
}

/** Byte-level damage: flip, truncate or splice garbage. */
function mutateBytes(bytes: Uint8Array, rng: Rng, within = bytes.length): Uint8Array {
  const out = new Uint8Array(bytes);
  const op = rng.int(3);
  if (op === 0) {
    for (let k = 0; k < 1 + rng.int(4); k++) out[rng.int(Math.max(1, within))] ^= 1 << rng.int(8);
    return out;
  }
  if (op === 1) return out.slice(0, rng.int(bytes.length));
  const at = rng.int(Math.max(1, within));
  const garbage = Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
  const spliced = new Uint8Array(out.length + garbage.length);
  spliced.set(out.subarray(0, at));
  spliced.set(garbage, at);
  spliced.set(out.subarray(at), at + garbage.length);
  return spliced;
}

/** Runs one case: it may succeed, or fail with one of our errors and a message without a stack trace. */
async function expectClear(run: () => unknown, what: string): Promise<'ok' | 'refused'> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    if (!CLEAR_ERRORS.some((cls) => e instanceof cls)) throw new Error(`${what}: unclear failure ${String(e)}`, { cause: e });
    const message = (e as Error).message;
    expect(message.length).toBeGreaterThan(10);
    expect(message).not.toMatch(/\n\s+at /);
    return 'refused';
  }
}

describe('fuzzing user-supplied files (seeded)', () => {
  const files = makeTinyCheckpoint({ family: 'llama', gqa: true, seed: 5, layers: 1, hiddenSize: 16, heads: 2 });
  const config = JSON.parse(decoder.decode(files['config.json'])) as Json;
  const tokenizerJson = JSON.parse(decoder.decode(files['tokenizer.json'])) as Json;
  const weights = files['model.safetensors'];
  const headerLength = Number(new DataView(weights.buffer, weights.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(decoder.decode(weights.subarray(8, 8 + headerLength))) as Json;

  it('safetensors: 3000 mutated headers and damaged bytes parse and read, or are refused clearly', async () => {
    const rng = new Rng(11);
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 3000; k++) {
      let bytes: Uint8Array;
      if (k % 2 === 0) {
        const json = encoder.encode(JSON.stringify(mutateJson(header, rng)));
        bytes = new Uint8Array(8 + json.length + weights.length - 8 - headerLength);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
        bytes.set(json, 8);
        bytes.set(weights.subarray(8 + headerLength), 8 + json.length);
      } else bytes = mutateBytes(weights, rng, 8 + headerLength);
      counts[await expectClear(() => {
        const file = parseSafetensors(bytes, 'model.safetensors');
        if (k % 8 < 2) for (const name of file.entries.keys()) file.getTensor(name); // reading every tensor is the slow part
      }, `safetensors case ${k}`)]++;
    }
    expect(counts.refused).toBeGreaterThan(1000);
  });

  it('config.json: 3000 mutations parse or are refused clearly', async () => {
    const rng = new Rng(12);
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 3000; k++) {
      let mutated = mutateJson(config, rng);
      if (k % 3 === 0) mutated = mutateJson(mutated, rng);
      counts[await expectClear(() => parseModelConfig(mutated), `config case ${k}`)]++;
    }
    expect(counts.refused).toBeGreaterThan(500);
    expect(counts.ok).toBeGreaterThan(100);
  });

  it('tokenizer.json: 400 mutations load (and fit the vocabulary) or are refused clearly', async () => {
    const rng = new Rng(13);
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 400; k++) {
      const mutated = k % 2 === 0 ? mutateJson(tokenizerJson, rng) : (() => {
        try {
          return JSON.parse(decoder.decode(mutateBytes(files['tokenizer.json'], rng))) as Json;
        } catch {
          return NASTY[rng.int(NASTY.length)] as Json;
        }
      })();
      counts[await expectClear(() => {
        const tokenizer = openTokenizer(mutated, null, 'tokenizer.json');
        checkTokenizerVocabulary(tokenizer, 320, 'tokenizer.json');
        tokenizer.encode('Hello world');
      }, `tokenizer case ${k}`)]++;
    }
    expect(counts.ok + counts.refused).toBe(400);
  });

  it('heta.json: 2000 mutated manifests validate or are refused clearly', async () => {
    const ckpt = await openCheckpoint(memorySource(files, 'tiny'));
    const { files: bundle } = await compileBundle(ckpt, { quant: 'q8', modelId: 'tiny' });
    const manifest = JSON.parse(decoder.decode(bundle.get('heta.json')!)) as Json;
    const rng = new Rng(14);
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 2000; k++) {
      const bytes = k % 4 === 3 ? mutateBytes(bundle.get('heta.json')!, rng) : encoder.encode(JSON.stringify(mutateJson(manifest, rng)));
      counts[await expectClear(() => {
        const m = parseBundleManifest(bytes, 'bundle');
        // Whatever passes names only plain files that the manifest records.
        for (const name of [m.weights.file, m.tokenizer.file, m.model.file]) {
          expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
          expect(m.files[name]).toBeDefined();
        }
      }, `manifest case ${k}`)]++;
    }
    expect(counts.refused).toBeGreaterThan(700);
  });

  it('whole checkpoints: 40 mutated configs and tokenizers compile into a bundle or are refused clearly', async () => {
    const rng = new Rng(15);
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 40; k++) {
      const mutated = { ...files };
      if (k % 2 === 0) mutated['config.json'] = encoder.encode(JSON.stringify(mutateJson(config, rng)));
      else mutated['tokenizer.json'] = encoder.encode(JSON.stringify(mutateJson(tokenizerJson, rng)));
      counts[await expectClear(async () => {
        const ckpt = await openCheckpoint(memorySource(mutated, 'tiny'));
        await compileBundle(ckpt, { quant: 'q8', modelId: 'tiny' });
      }, `checkpoint case ${k}`)]++;
    }
    expect(counts.ok + counts.refused).toBe(40);
  });
});
