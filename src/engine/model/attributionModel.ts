// A loaded bundle: its manifest, tokenizer and one session per graph, with typed helpers for the
// passes attribution needs. Host-agnostic: the worker and the CLI pass their own Runtime and file reader.

import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_FILE, type BundleManifest } from '../compiler/bundle';
import type { GraphKind } from '../compiler/graphs';
import type { GraphSession, HostTensor, ResidentTensor, Runtime } from '../runtime/types';
import { TextTokenizer } from '../tokenizer/tokenizer';

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

export class BundleError extends Error {
  override name = 'BundleError';
}

const f32 = (dims: number[], data: Float32Array): HostTensor<'float32'> => ({ type: 'float32', dims, data });
const i64 = (dims: number[], data: ArrayLike<number>): HostTensor => ({ type: 'int64', dims, data: BigInt64Array.from(Array.from(data, BigInt)) });

function parseManifest(bytes: Uint8Array, label: string): BundleManifest {
  let json: unknown;
  const text = new TextDecoder().decode(bytes);
  try {
    json = JSON.parse(text);
  } catch {
    // Static servers with an app fallback answer a missing file with the HTML page instead of a 404.
    if (text.trimStart().startsWith('<')) throw new BundleError(`${label}: no bundle here (${MANIFEST_FILE} was not found; the server returned a web page)`);
    throw new BundleError(`${label}: ${MANIFEST_FILE} is not valid JSON`);
  }
  const m = json as Partial<BundleManifest>;
  if (m.format !== BUNDLE_FORMAT) throw new BundleError(`${label}: not a HETA bundle (${MANIFEST_FILE} has format '${String(m.format)}')`);
  if (m.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new BundleError(`${label}: bundle format version ${m.formatVersion} is not supported (this build reads version ${BUNDLE_FORMAT_VERSION}); convert the checkpoint again`);
  }
  return m as BundleManifest;
}

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

export interface LoadProgress {
  done: number;
  total: number;
  detail: string;
}

export class AttributionModel {
  private constructor(
    readonly manifest: BundleManifest,
    readonly tokenizer: TextTokenizer,
    private readonly sessions: Record<GraphKind, GraphSession>,
    readonly backend: Runtime['backend'],
    readonly backendDetail: string,
  ) {}

  static async load(source: BundleSource, runtime: Runtime, onProgress?: (p: LoadProgress) => void): Promise<AttributionModel> {
    const manifest = parseManifest(await source.read(MANIFEST_FILE), source.label);
    const kinds = Object.keys(manifest.graphs) as GraphKind[];
    const total = kinds.length + 2;
    onProgress?.({ done: 0, total, detail: 'reading weights' });
    const weights = await source.read(manifest.weights.file);
    if (weights.byteLength !== manifest.weights.bytes) {
      throw new BundleError(`${source.label}: ${manifest.weights.file} has ${weights.byteLength} bytes, ${MANIFEST_FILE} says ${manifest.weights.bytes} (truncated download?)`);
    }
    const decode = async (name: string) => JSON.parse(new TextDecoder().decode(await source.read(name)));
    const tokenizer = new TextTokenizer(
      await decode(manifest.tokenizer.file),
      manifest.tokenizer.configFile ? await decode(manifest.tokenizer.configFile) : null,
    );
    onProgress?.({ done: 1, total, detail: 'tokenizer' });
    const sessions = {} as Record<GraphKind, GraphSession>;
    try {
      for (const [i, kind] of kinds.entries()) {
        const graph = await source.read(manifest.graphs[kind].file);
        sessions[kind] = await runtime.createSession({ graph, externalData: [{ path: manifest.weights.file, data: weights }], name: manifest.graphs[kind].file });
        onProgress?.({ done: i + 2, total, detail: `${kind} graph` });
      }
    } catch (e) {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
      throw e;
    }
    return new AttributionModel(manifest, tokenizer, sessions, runtime.backend, runtime.detail);
  }

  get config() {
    return this.manifest.config;
  }

  async embed(ids: readonly number[]): Promise<Float32Array> {
    const out = await this.sessions.embed.run({ input_ids: i64([1, ids.length], ids) });
    return out.inputs_embeds.data as Float32Array;
  }

  /** Logits of row `rows[b]` for each of `batch` sequences of length T: [batch, V]. */
  async logitsAt(x: Float32Array, batch: number, T: number, rows: readonly number[]): Promise<Float32Array> {
    const out = await this.sessions.forward.run({ inputs_embeds: f32([batch, T, this.config.hiddenSize], x), rows: i64([batch, 1], rows) });
    return out.logits.data as Float32Array;
  }

  /** Logits of the same `rows` of each of `batch` sequences: [batch, rows, V]. */
  async logitsAtRows(x: Float32Array, batch: number, T: number, rows: readonly number[]): Promise<Float32Array> {
    const all = Array.from({ length: batch }, () => rows).flat();
    const out = await this.sessions.forward.run({ inputs_embeds: f32([batch, T, this.config.hiddenSize], x), rows: i64([batch, rows.length], all) });
    return out.logits.data as Float32Array;
  }

  async inspect(x: Float32Array, T: number): Promise<Inspection> {
    const out = await this.sessions.inspect.run({ inputs_embeds: f32([1, T, this.config.hiddenSize], x) });
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
    const session = this.sessions.hessianProbe;
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
   * ‖Π_i H Π_i r_b‖₁ for each probe r_b (rows of `probes`, [B, d] signs) of token i = `start`, by central
   * differences with step `epsilon`, in one graph pass over positions i … T−1 with positions before i
   * from the cached keys/values. Only the B norms are read back.
   */
  async hessianProbe(context: ProbeContext, start: number, row: number, target: number, probes: Float32Array, epsilon: number): Promise<Float32Array> {
    const d = this.config.hiddenSize;
    const out = await this.sessions.hessianProbe.run({
      inputs_embeds: context.x,
      past_keys: context.keys,
      past_values: context.values,
      start: i64([1], [start]),
      row: i64([1], [row]),
      target: i64([1], [target]),
      probes: f32([probes.length / d, d], probes),
      epsilon: f32([1], Float32Array.of(epsilon)),
    });
    return out.hvp_norm.data as Float32Array;
  }

  /** ∇_X log softmax(logits[row_b])[target_b] for each item: grad [batch, T, d] and logprob [batch]. */
  async gradient(x: Float32Array, batch: number, T: number, row: readonly number[], target: readonly number[]) {
    const out = await this.sessions.gradient.run({
      inputs_embeds: f32([batch, T, this.config.hiddenSize], x),
      row: i64([batch], row),
      target: i64([batch], target),
    });
    return { grad: out.grad.data as Float32Array, logprob: out.logprob.data as Float32Array };
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}
