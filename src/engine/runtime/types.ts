// The one runtime interface the engine uses. Only the files in this folder import onnxruntime;
// everything else talks to a `Runtime` and passes plain host tensors.

export type Backend = 'webgpu' | 'wasm' | 'cpu';

export type DataType = 'float32' | 'int64' | 'int32';

/** The typed array that holds each data type. */
export interface DataArrayOf {
  float32: Float32Array;
  int64: BigInt64Array;
  int32: Int32Array;
}

/** A tensor in ordinary (CPU / JS heap) memory. `data.length` equals the product of `dims`. */
export interface HostTensor<T extends DataType = DataType> {
  type: T;
  dims: number[];
  data: DataArrayOf[T];
}

/**
 * A float32 tensor placed where a session reads its inputs (GPU memory on WebGPU, ONNX Runtime's memory
 * otherwise) and fed to many runs of that session without being copied again. Release it when done.
 */
export interface ResidentTensor {
  readonly resident: true;
  readonly dims: readonly number[];
  release(): void;
}

export type FeedTensor = HostTensor | ResidentTensor;

export interface GraphSession {
  /** The backend this session actually runs on (a WebGPU runtime may fall back per session). */
  readonly backend: Backend;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Shapes the graph declares for its inputs and outputs by name (numbers, or names of symbolic dimensions); empty when the runtime does not say. */
  readonly declaredShapes: Readonly<Record<string, readonly (number | string)[]>>;
  /** Runs the graph. `outputs` selects which outputs to compute (default: all); results are host tensors. */
  run(feeds: Record<string, FeedTensor>, outputs?: readonly string[]): Promise<Record<string, HostTensor>>;
  /** Places a float32 tensor for repeated feeding to this session (an upload to the GPU on WebGPU). */
  resident(t: HostTensor<'float32'>): Promise<ResidentTensor>;
  /** Frees the session. Further `run` calls reject. Safe to call twice. */
  release(): Promise<void>;
}

/** One ONNX external data file, referenced by `location` from the graph's initializers. */
export interface ExternalDataFile {
  /** The `location` string as written in the graph (a bare file name, e.g. 'weights.bin'). */
  path: string;
  data: Uint8Array;
}

/**
 * A model as bytes. Both runtimes take the external data in memory, so several sessions can be
 * created from one weights file that was read (or fetched) once. Each session keeps its own copy
 * of the weights inside ONNX Runtime. To read files from disk in Node, use `readModelFiles` from
 * `./nodeFiles`.
 */
export interface ModelFiles {
  graph: Uint8Array;
  externalData?: ExternalDataFile[];
  /** A name for error messages and logs (e.g. the graph's file name). */
  name?: string;
  /** The model holds int4 (q4) weights; the browser's WebGPU provider runs such models on WebAssembly. */
  int4?: boolean;
  /** onnxruntime's graph rewrites (default 'all'); see `graphOptimizationFor`. */
  optimization?: GraphOptimization;
}

export type GraphOptimization = 'all' | 'disabled';

export interface Runtime {
  /** The backend new sessions are created on. */
  readonly backend: Backend;
  /**
   * Human-readable account of what runs and why, e.g. 'WebGPU (google swiftshader, fallback
   * adapter)', 'WebAssembly, 2 threads', or 'WebAssembly, 1 thread (WebGPU not used: no adapter)'.
   */
  readonly detail: string;
  /** Rejects with `ModelLoadError` (carrying ORT's reason) when the model cannot be loaded. */
  createSession(files: ModelFiles): Promise<GraphSession>;
}

/** Thrown by `createSession` when ONNX Runtime rejects a model. */
export class ModelLoadError extends Error {
  constructor(
    readonly modelName: string,
    readonly backend: Backend,
    readonly reason: string,
  ) {
    super(`failed to load model '${modelName}' on ${backend}: ${reason}`);
    this.name = 'ModelLoadError';
  }
}
