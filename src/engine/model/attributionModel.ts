// A loaded bundle: its manifest, tokenizer and the one session that runs every pass (selected by the
// model's `pass` input), with typed helpers for the passes attribution needs. Host-agnostic: the worker
// and the CLI pass their own Runtime and file reader.

import { BundleError, MANIFEST_FILE, parseBundleManifest, verifyBundleFile, type BundleManifest } from '../compiler/manifest';
import { passRunner, type PassRunner } from './passes';
import type { GraphSession, HostTensor, ResidentTensor, Runtime } from '../runtime/types';
import { graphOptimizationFor } from '../runtime/convert';
import { checkTokenizerVocabulary, openTokenizer, TextTokenizer } from '../tokenizer/tokenizer';
import { checkGraphShapes } from './graphShapes';
import { formatBytes } from '../units';

export { BundleError } from '../compiler/manifest';

export interface BundleSource {
  readonly label: string;
  read(name: string): Promise<Uint8Array>;
}

/** A bundle already in memory (just compiled, or read from a cache or dropped files). */
export function memoryBundleSource(files: ReadonlyMap<string, Uint8Array>, label = 'bundle'): BundleSource {
  return {
    label,
    read: async (name) => {
      const bytes = files.get(name);
      if (!bytes) throw new BundleError(`${label}: ${name} is missing`);
      return bytes;
    },
  };
}

const f32 = (dims: number[], data: Float32Array): HostTensor<'float32'> => ({ type: 'float32', dims, data });
const i64 = (dims: number[], data: ArrayLike<number>): HostTensor => ({ type: 'int64', dims, data: BigInt64Array.from(Array.from(data, BigInt)) });

export interface Inspection {
  logits: Float32Array;
  /** [L, H, T, T] */
  attention: Float32Array;
  /** [L, H, T] */
  valueStrength: Float32Array;
  /** Keys after RoPE and values, [L, Hkv, T, hd]: the cache the Hessian probe pass starts from. */
  keys: Float32Array;
  values: Float32Array;
}

/** The unperturbed context and its keys/values, placed once where the Hessian probe pass reads them. */
export interface ProbeContext {
  T: number;
  x: ResidentTensor;
  keys: ResidentTensor;
  values: ResidentTensor;
  release(): void;
}

/**
 * What the gradient and Hessian passes differentiate: g(X) = Σ_r weights[r] · log softmax(f(X)[rows[r]])[ids[r]]
 * (one token, a span's rows, or a contrast t − t′ at one row). The same for every item of a batch.
 */
export interface Objective {
  rows: readonly number[];
  ids: readonly number[];
  weights: readonly number[];
}

/** The objective as the gradient and Hessian-probe passes take it. */
export function objectiveFeeds(o: Objective): Record<string, HostTensor> {
  return { target_rows: i64([o.rows.length], o.rows), target_ids: i64([o.ids.length], o.ids), target_weights: f32([o.weights.length], Float32Array.from(o.weights)) };
}

export interface LoadProgress {
  done: number;
  total: number;
  detail: string;
}

export class AttributionModel {
  private constructor(
    readonly manifest: BundleManifest,
    readonly tokenizer: TextTokenizer,
    private readonly session: GraphSession,
    private readonly run: PassRunner,
    readonly backend: Runtime['backend'],
    readonly backendDetail: string,
  ) {}

  static async load(source: BundleSource, runtime: Runtime, onProgress?: (p: LoadProgress) => void): Promise<AttributionModel> {
    const label = source.label;
    const manifest = parseBundleManifest(await source.read(MANIFEST_FILE), label);
    const total = 4;
    // All files are read at once (a download overlaps the others), and each one's size and SHA-256 are
    // checked against heta.json before its bytes are used.
    onProgress?.({ done: 0, total, detail: `reading ${manifest.weights.file} (${formatBytes(manifest.weights.bytes)}), ${manifest.model.file} and the tokenizer` });
    const names = [manifest.weights.file, manifest.model.file, manifest.tokenizer.file, ...(manifest.tokenizer.configFile ? [manifest.tokenizer.configFile] : [])];
    const files = await Promise.all(names.map((name) => source.read(name)));
    onProgress?.({ done: 1, total, detail: 'checking SHA-256 of every file' });
    await Promise.all(names.map((name, k) => verifyBundleFile(manifest, name, files[k], label)));
    const [weights, graph, tokenizerBytes, tokenizerConfigBytes] = files;
    const decode = (name: string, bytes: Uint8Array): unknown => {
      try {
        return JSON.parse(new TextDecoder().decode(bytes));
      } catch (e) {
        if (e instanceof SyntaxError) throw new BundleError(`${label}: ${name} is not valid JSON`);
        throw e;
      }
    };
    const where = `${label}: ${manifest.tokenizer.file}`;
    const tokenizerConfig = manifest.tokenizer.configFile ? decode(manifest.tokenizer.configFile, tokenizerConfigBytes) : null;
    const tokenizer = openTokenizer(decode(manifest.tokenizer.file, tokenizerBytes), tokenizerConfig, where);
    checkTokenizerVocabulary(tokenizer, manifest.config.vocabSize, where);
    onProgress?.({ done: 2, total, detail: 'creating the onnxruntime session' });
    const session = await runtime.createSession({ graph, externalData: [{ path: manifest.weights.file, data: weights }], name: manifest.model.file, int4: manifest.quantization.tensors.q4 > 0, optimization: graphOptimizationFor(manifest.parameters) });
    let run: PassRunner;
    try {
      checkGraphShapes(manifest, session, label);
      run = passRunner(session, manifest.config);
    } catch (e) {
      await session.release();
      throw e;
    }
    onProgress?.({ done: 4, total, detail: 'ready' });
    // The runtime's backend and detail as they are after this session (a browser runtime may fall back).
    return new AttributionModel(manifest, tokenizer, session, run, session.backend, runtime.detail);
  }

  get config() {
    return this.manifest.config;
  }

  async embed(ids: readonly number[]): Promise<Float32Array> {
    const out = await this.run('embed', { input_ids: i64([1, ids.length], ids) });
    return out.inputs_embeds.data as Float32Array;
  }

  /** Logits of row `rows[b]` for each of `batch` sequences of length T: [batch, V]. */
  async logitsAt(x: Float32Array, batch: number, T: number, rows: readonly number[]): Promise<Float32Array> {
    const out = await this.run('forward', { inputs_embeds: f32([batch, T, this.config.hiddenSize], x), rows: i64([batch, 1], rows) });
    return out.logits.data as Float32Array;
  }

  /** Logits of the same `rows` of each of `batch` sequences: [batch, rows, V]. */
  async logitsAtRows(x: Float32Array, batch: number, T: number, rows: readonly number[]): Promise<Float32Array> {
    const all = Array.from({ length: batch }, () => rows).flat();
    const out = await this.run('forward', { inputs_embeds: f32([batch, T, this.config.hiddenSize], x), rows: i64([batch, rows.length], all) });
    return out.logits.data as Float32Array;
  }

  async inspect(x: Float32Array, T: number): Promise<Inspection> {
    const out = await this.run('inspect', { inputs_embeds: f32([1, T, this.config.hiddenSize], x) });
    return {
      logits: out.logits.data as Float32Array,
      attention: out.attention.data as Float32Array,
      valueStrength: out.value_strength.data as Float32Array,
      keys: out.keys.data as Float32Array,
      values: out.values.data as Float32Array,
    };
  }

  /**
   * Places the context X [T, d] and its keys/values (from `inspect`) for many `hessianProbe` calls: on
   * WebGPU they are uploaded to GPU buffers once and stay there. Release the result when done.
   */
  async probeContext(x: Float32Array, T: number, past: Pick<Inspection, 'keys' | 'values'>): Promise<ProbeContext> {
    const { numLayers: L, numKvHeads: Hkv, headDim: hd, hiddenSize: d } = this.config;
    const session = this.session;
    const placed: ResidentTensor[] = [];
    try {
      for (const [dims, data] of [[[1, T, d], x], [[L, Hkv, T, hd], past.keys], [[L, Hkv, T, hd], past.values]] as const) {
        placed.push(await session.resident(f32([...dims], data)));
      }
    } catch (e) {
      for (const t of placed) t.release();
      throw e;
    }
    const [rx, keys, values] = placed;
    return { T, x: rx, keys, values, release: () => placed.forEach((t) => t.release()) };
  }

  /**
   * ‖Π_i H Π_i r_b‖₁ of the objective's Hessian for each probe r_b (rows of `probes`, [B, d] signs) of token
   * i = `start`, by central differences with step `epsilon`, in one graph pass over positions i … T−1 with
   * positions before i from the cached keys/values. Only the B norms are read back.
   */
  async hessianProbe(context: ProbeContext, start: number, objective: Objective, probes: Float32Array, epsilon: number): Promise<Float32Array> {
    const d = this.config.hiddenSize;
    const out = await this.run('hessianProbe', {
      inputs_embeds: context.x,
      past_keys: context.keys,
      past_values: context.values,
      start: i64([1], [start]),
      ...objectiveFeeds(objective),
      probes: f32([probes.length / d, d], probes),
      epsilon: f32([1], Float32Array.of(epsilon)),
    });
    return out.hvp_norm.data as Float32Array;
  }

  /** The objective g and ∇_X g for each of `batch` sequences of length T: grad [batch, T, d] and g [batch]. */
  async gradient(x: Float32Array, batch: number, T: number, objective: Objective) {
    const out = await this.run('gradient', { inputs_embeds: f32([batch, T, this.config.hiddenSize], x), ...objectiveFeeds(objective) });
    return { grad: out.grad.data as Float32Array, g: out.objective.data as Float32Array };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
