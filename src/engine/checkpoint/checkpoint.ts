// Opens a Hugging Face checkpoint (config.json, tokenizer files, safetensors weights, single or sharded)
// from any FileSource. Weight files are read lazily, once each, and tensors come out as float32.

import { familyOf } from '../architectures/families';
import { parseModelConfig } from './config';
import { isObject } from '../architectures/configFields';
import { CheckpointError } from './errors';
import { parseSafetensors, type SafetensorsFile } from './safetensors';
import type { FileSource, ModelConfig, Tensor } from './types';
import { sha256Hex } from '../sha256';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

export interface CheckpointProgress {
  /** `read`: a file was read from the source; `hash`: a file was hashed. */
  kind: 'read' | 'hash';
  file: string;
  /** Files read (or hashed) so far, including this one, out of all files of the checkpoint. */
  done: number;
  total: number;
}

export interface Checkpoint {
  /** The source's label, for messages. */
  readonly label: string;
  readonly config: ModelConfig;
  /** config.json as parsed JSON. */
  readonly rawConfig: Record<string, unknown>;
  readonly tokenizerJson: unknown;
  /** tokenizer_config.json, or null when the checkpoint has none. */
  readonly tokenizerConfig: unknown | null;
  /** All tensor names, sorted. */
  readonly tensorNames: readonly string[];
  /** Every file the checkpoint consists of (config, tokenizer files, index, weights). */
  readonly files: readonly string[];
  hasTensor(name: string): boolean;
  /** The tensor as float32; with `expectedShape`, also checks its shape (see `expectShape`). */
  getTensor(name: string, expectedShape?: readonly number[]): Promise<Tensor>;
  /** SHA-256 (lowercase hex) of each file in `files`. Reads weight files that were not read yet. */
  sha256(): Promise<Record<string, string>>;
  /** One SHA-256 over all files' names and hashes: identifies the checkpoint (e.g. as a cache key). */
  fingerprint(): Promise<string>;
  /** Drop cached file contents (tensors already returned stay valid); later calls re-read. */
  release(): void;
}

/** Throws a CheckpointError unless `tensor` has exactly `expected` shape. */
export function expectShape(tensor: Tensor, expected: readonly number[], name: string): Tensor {
  const same = tensor.shape.length === expected.length && tensor.shape.every((dim, i) => dim === expected[i]);
  if (!same) {
    throw new CheckpointError(
      `tensor "${name}" has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}] (does config.json match the weights?)`,
      { tensor: name },
    );
  }
  return tensor;
}

export async function openCheckpoint(
  source: FileSource,
  onProgress?: (progress: CheckpointProgress) => void,
): Promise<Checkpoint> {
  const label = source.label;
  const fail = (message: string, file?: string, tensor?: string): never => {
    throw new CheckpointError(`${label}: ${message}`, { file, tensor });
  };

  // Decide the file list first so progress can report a total.
  const required = [CONFIG_FILE, TOKENIZER_FILE];
  const missing: string[] = [];
  for (const name of required) if (!(await source.has(name))) missing.push(name);
  const hasSingle = await source.has(WEIGHTS_FILE);
  const hasIndex = !hasSingle && (await source.has(WEIGHTS_INDEX_FILE));
  if (!hasSingle && !hasIndex) {
    const hint = (await source.has('pytorch_model.bin'))
      ? ' (found pytorch_model.bin, but only safetensors weights are supported; convert or download the safetensors version)'
      : '';
    missing.push(`${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}${hint}`);
  }
  if (missing.length > 0) fail(`missing ${missing.join(', ')}`);
  const hasTokenizerConfig = await source.has(TOKENIZER_CONFIG_FILE);

  const cache = new Map<string, Promise<Uint8Array>>();
  const files = [CONFIG_FILE, TOKENIZER_FILE, ...(hasTokenizerConfig ? [TOKENIZER_CONFIG_FILE] : [])];
  let readCount = 0;
  const read = (name: string): Promise<Uint8Array> => {
    let pending = cache.get(name);
    if (!pending) {
      pending = source.read(name).then((bytes) => {
        onProgress?.({ kind: 'read', file: name, done: Math.min(++readCount, files.length), total: files.length });
        return bytes;
      });
      cache.set(name, pending);
      pending.catch(() => cache.delete(name)); // let a failed read be retried
    }
    return pending;
  };
  const readJson = async (name: string): Promise<unknown> => {
    const bytes = await read(name);
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      return fail(`${name} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, name);
    }
  };

  // Weight layout: tensor name → file holding it.
  let tensorFile: Map<string, string>;
  let weightFiles: string[];
  if (hasIndex) {
    files.push(WEIGHTS_INDEX_FILE);
    tensorFile = parseIndex(await readJson(WEIGHTS_INDEX_FILE), fail);
    weightFiles = [...new Set(tensorFile.values())].sort();
    const absent: string[] = [];
    for (const shard of weightFiles) if (!(await source.has(shard))) absent.push(shard);
    if (absent.length > 0) fail(`${WEIGHTS_INDEX_FILE} refers to missing shard(s): ${absent.join(', ')}`, WEIGHTS_INDEX_FILE);
  } else {
    weightFiles = [WEIGHTS_FILE];
    tensorFile = new Map(); // filled from the header below
  }
  files.push(...weightFiles);

  const rawConfig = await readJson(CONFIG_FILE);
  const config = parseModelConfig(rawConfig);
  const tokenizerJson = await readJson(TOKENIZER_FILE);
  if (tokenizerJson === null || typeof tokenizerJson !== 'object' || Array.isArray(tokenizerJson)) {
    fail(`${TOKENIZER_FILE} is not a JSON object`, TOKENIZER_FILE);
  }
  const tokenizerConfig = hasTokenizerConfig ? await readJson(TOKENIZER_CONFIG_FILE) : null;

  const parsed = new Map<string, Promise<SafetensorsFile>>();
  const loadWeights = (file: string): Promise<SafetensorsFile> => {
    let pending = parsed.get(file);
    if (!pending) {
      pending = read(file).then((bytes) => {
        const shard = parseSafetensors(bytes, file);
        if (hasIndex) checkShardAgainstIndex(shard, file, tensorFile, fail);
        return shard;
      });
      parsed.set(file, pending);
      pending.catch(() => parsed.delete(file));
    }
    return pending;
  };

  if (!hasIndex) {
    const single = await loadWeights(WEIGHTS_FILE);
    for (const name of single.entries.keys()) tensorFile.set(name, WEIGHTS_FILE);
  }
  // Stored name of each tensor under its canonical (full-model) name; see canonicalNames.
  const storedName = canonicalNames([...tensorFile.keys()], config);
  const tensorNames = [...storedName.keys()].sort();

  let hashes: Promise<Record<string, string>> | null = null;
  const sha256 = (): Promise<Record<string, string>> => {
    hashes ??= (async () => {
      const out: Record<string, string> = {};
      let done = 0;
      for (const file of files) {
        out[file] = await sha256Hex(await read(file));
        onProgress?.({ kind: 'hash', file, done: ++done, total: files.length });
      }
      return out;
    })();
    hashes.catch(() => (hashes = null));
    return hashes;
  };

  return {
    label,
    config,
    rawConfig: rawConfig as Record<string, unknown>,
    tokenizerJson,
    tokenizerConfig,
    tensorNames,
    files,
    hasTensor: (name) => storedName.has(name),
    async getTensor(name, expectedShape) {
      const stored = storedName.get(name);
      const file = stored === undefined ? undefined : tensorFile.get(stored);
      if (stored === undefined || file === undefined) return fail(`checkpoint has no tensor named "${name}"`, undefined, name);
      const tensor = (await loadWeights(file)).getTensor(stored);
      return expectedShape ? expectShape(tensor, expectedShape, name) : tensor;
    },
    sha256,
    async fingerprint() {
      const all = await sha256();
      const summary = Object.keys(all).sort().map((file) => `${file}\t${all[file]}\n`).join('');
      return sha256Hex(new TextEncoder().encode(summary));
    },
    release() {
      cache.clear();
      parsed.clear();
    },
  };
}

type Fail = (message: string, file?: string, tensor?: string) => never;

/** The shard files a model.safetensors.index.json names, sorted (e.g. to plan their download). */
export function shardFilesOf(indexJson: unknown, label: string): string[] {
  const fail: Fail = (message, file, tensor) => {
    throw new CheckpointError(`${label}: ${message}`, { file, tensor });
  };
  return [...new Set(parseIndex(indexJson, fail).values())].sort();
}

/**
 * Checkpoints saved from the bare base model (e.g. openai-community/gpt2: `wte.weight`, `h.0.attn...`)
 * lack the `transformer.` / `model.` prefix that the LM-head class adds. Like transformers'
 * from_pretrained, accept both: expose every tensor under its full-model name.
 */
function canonicalNames(names: string[], config: ModelConfig): Map<string, string> {
  const prefix = familyOf(config).basePrefix;
  const prefixed = names.some((name) => name.startsWith(prefix));
  return new Map(
    names.map((name) => [prefixed || name.startsWith('lm_head.') ? name : prefix + name, name] as [string, string]),
  );
}

/** model.safetensors.index.json → tensor name → shard file name. */
function parseIndex(json: unknown, fail: Fail): Map<string, string> {
  if (!isObject(json) || !isObject(json.weight_map)) {
    return fail(`${WEIGHTS_INDEX_FILE} has no "weight_map" object`, WEIGHTS_INDEX_FILE);
  }
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(json.weight_map)) {
    // Shard names are plain file names next to the index; anything path-like could escape the folder.
    if (typeof shard !== 'string' || shard === '' || shard === '.' || shard === '..' || /[/\\]/.test(shard)) {
      fail(`${WEIGHTS_INDEX_FILE} maps tensor "${tensor}" to invalid shard name ${JSON.stringify(shard)}`, WEIGHTS_INDEX_FILE, tensor);
    }
    map.set(tensor, shard as string);
  }
  if (map.size === 0) fail(`${WEIGHTS_INDEX_FILE} has an empty weight_map`, WEIGHTS_INDEX_FILE);
  return map;
}

/** Every tensor the index places in `file` must actually be there. */
function checkShardAgainstIndex(shard: SafetensorsFile, file: string, tensorFile: ReadonlyMap<string, string>, fail: Fail): void {
  for (const [tensor, claimed] of tensorFile) {
    if (claimed === file && !shard.has(tensor)) {
      fail(`${WEIGHTS_INDEX_FILE} says tensor "${tensor}" is in ${file}, but that shard does not contain it`, file, tensor);
    }
  }
}
