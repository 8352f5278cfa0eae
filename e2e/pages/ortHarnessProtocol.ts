// Messages between the ORT harness page and its worker. Requests and responses are separate
// unions; every payload is required.

import type { DataType } from '../../src/engine/runtime/types';

/** A tensor as plain JSON. int64 values travel as numbers (exact up to 2^53). */
export interface JsonTensor {
  type: DataType;
  dims: number[];
  data: number[];
}

export interface RunGraphRequest {
  backend: 'webgpu' | 'wasm' | 'auto';
  /** URL of the .onnx graph (same origin). */
  graphUrl: string;
  /** External data files: `path` as the graph names it, `url` to fetch it from. */
  externalData?: { path: string; url: string }[];
  feeds: Record<string, JsonTensor>;
  /** Outputs to fetch; default all. */
  outputs?: string[];
  /** The model holds int4 weights (the web runtime then runs it on WebAssembly). */
  int4?: boolean;
  /** WebAssembly threads (only the first runtime created in the worker sets this). */
  numThreads?: number;
  /** How many times to run (results of the last run are returned). Default 1. */
  repeat?: number;
}

export interface RunGraphResult {
  /** The backend the session ran on. */
  backend: 'webgpu' | 'wasm' | 'cpu';
  /** The runtime's account of what ran and why. */
  detail: string;
  outputs: Record<string, JsonTensor>;
  timings: { fetchMs: number; createMs: number; runMs: number[] };
}

