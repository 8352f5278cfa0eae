// The browser runtime: onnxruntime-web (default build: WebAssembly + WebGPU/JSEP). Works on a page
// and inside a module Web Worker. One execution provider per session, chosen here and reported —
// never ORT's silent ['webgpu', 'wasm'] list.

import * as ort from 'onnxruntime-web';
// Explicit paths so that ORT's thread workers load these files and not the app chunk (required
// for production builds running ORT in a module worker with more than one thread).
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import { checkGraphBytes, errorText, externalDataOption, fromOrt, loadError, modelName, SESSION_CONFIG, SESSION_OPTIONS } from './convert';
import { wrapOrtSession } from './session';
import { ModelLoadError, type GraphSession, type HostTensor, type ModelFiles, type Runtime } from './types';

export interface WebRuntimeOptions {
  /**
   * 'wasm': WebAssembly only.
   * 'webgpu': WebGPU on any adapter, including software fallback adapters (SwiftShader in CI).
   * 'auto': WebGPU on a hardware adapter; WebAssembly when the only adapter is a software
   *   fallback (it is ~35× slower than WebAssembly).
   * 'webgpu' and 'auto' fall back to WebAssembly (and say why in `detail`) when there is no
   * WebGPU, no adapter, or a WebGPU session cannot be created; after such a session failure the
   * runtime creates later sessions on WebAssembly.
   */
  prefer: 'webgpu' | 'wasm' | 'auto';
  /** WebAssembly threads. Default: min(2, hardwareConcurrency) when cross-origin isolated, else 1. */
  numThreads?: number;
}

// Minimal WebGPU typings (the TypeScript DOM lib in use has none).
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}

type Probe = { ok: true; adapter: GpuAdapterLike; label: string; fallback: boolean } | { ok: false; reason: string };

async function probeWebGpu(): Promise<Probe> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing (no WebGPU in this browser or context)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: `requestAdapter() failed: ${errorText(e)}` };
  }
  if (!adapter) return { ok: false, reason: 'requestAdapter() returned no adapter' };
  const info = adapter.info ?? {};
  const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  const name = [info.vendor, info.architecture || info.device || info.description].filter(Boolean).join(' ');
  return { ok: true, adapter, label: name || 'unknown adapter', fallback };
}

/** ORT's WebAssembly settings are global and read when the first session initializes it. */
let wasmThreads: number | undefined;

function configureOrt(requested: number | undefined): { threads: number; note: string } {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  let note = '';
  if (wasmThreads === undefined) {
    let threads = requested ?? (isolated ? Math.min(2, cores) : 1);
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`numThreads must be a positive integer, got ${threads}`);
    if (threads > 1 && !isolated) {
      note = ' (not cross-origin isolated, so no threads)';
      threads = 1;
    }
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl, mjs: ortMjsUrl };
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error'; // as SESSION_OPTIONS' logSeverityLevel: no per-node placement warnings on a normal run
    wasmThreads = threads;
  } else if (requested !== undefined && requested !== wasmThreads) {
    note = ` (${requested} requested, but ONNX Runtime was already set up with ${wasmThreads})`;
  }
  return { threads: wasmThreads, note };
}

function wasmDetail(threads: number, note: string): string {
  return `WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}${note}`;
}

export async function createWebRuntime(options: WebRuntimeOptions): Promise<Runtime> {
  const { prefer } = options;
  if (prefer !== 'webgpu' && prefer !== 'wasm' && prefer !== 'auto') {
    throw new Error(`prefer must be 'webgpu', 'wasm' or 'auto', got '${String(prefer)}'`);
  }
  const { threads, note } = configureOrt(options.numThreads);
  const wasm = wasmDetail(threads, note);

  let backend: 'webgpu' | 'wasm' = 'wasm';
  let detail = wasm;
  if (prefer !== 'wasm') {
    const probe = await probeWebGpu();
    if (!probe.ok) {
      detail = `${wasm}; WebGPU not used: ${probe.reason}`;
    } else if (probe.fallback && prefer === 'auto') {
      detail = `${wasm}; WebGPU not used: only a software fallback adapter (${probe.label})`;
    } else {
      // Hand ORT the adapter we probed so that it runs on the one we report.
      if (!ort.env.webgpu.adapter) (ort.env.webgpu as { adapter: unknown }).adapter = probe.adapter;
      backend = 'webgpu';
      detail = `WebGPU (${probe.label}${probe.fallback ? ', fallback adapter' : ''})`;
    }
  }

  const runtime: Runtime = {
    get backend() {
      return backend;
    },
    get detail() {
      return detail;
    },
    async createSession(files: ModelFiles): Promise<GraphSession> {
      try {
        checkGraphBytes(files);
      } catch (e) {
        throw loadError(files, backend, e);
      }
      if (backend === 'webgpu' && files.int4) {
        // Measured: with q4 bundles, onnxruntime-web 1.30's WebGPU provider (JSEP) gives logits that differ
        // from the CPU's by whole nats, while DequantizeLinear of int4 alone is exact; q8 and float32 agree.
        backend = 'wasm';
        detail = `${wasm}; WebGPU not used: q4 (int4) weights run on WebAssembly here (onnxruntime-web's WebGPU provider computes them wrongly); q8 bundles run on WebGPU`;
      }
      if (backend === 'webgpu') {
        let webgpuError: ModelLoadError;
        try {
          return wrapSession(await createOrtSession(files, 'webgpu'), 'webgpu');
        } catch (e) {
          webgpuError = loadError(files, 'webgpu', e);
        }
        // Retry on WebAssembly: if the model itself is bad this fails too, and the error names both.
        let session: ort.InferenceSession;
        try {
          session = await createOrtSession(files, 'wasm');
        } catch (e) {
          throw new ModelLoadError(
            modelName(files),
            'webgpu',
            `${webgpuError.reason} (WebAssembly also failed: ${errorText(e)})`,
          );
        }
        backend = 'wasm';
        detail = `${wasm}; WebGPU not used: session creation failed for ${webgpuError.modelName}: ${webgpuError.reason}`;
        return wrapSession(session, 'wasm');
      }
      try {
        return wrapSession(await createOrtSession(files, 'wasm'), 'wasm');
      } catch (e) {
        throw loadError(files, 'wasm', e);
      }
    },
  };
  return runtime;
}

async function createOrtSession(files: ModelFiles, provider: 'webgpu' | 'wasm'): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(files.graph, {
    executionProviders: [provider],
    externalData: externalDataOption(files),
    graphOptimizationLevel: files.optimization ?? 'all',
    ...SESSION_OPTIONS,
    extra: SESSION_CONFIG,
  });
}

/** A macrotask boundary: onnxruntime-web's WebAssembly run() settles without one, so a worker busy with
 * pass after pass would never read its next message (e.g. a cancel) without this. */
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

// WebGPU buffer usage flags (the TypeScript DOM lib in use has no WebGPU typings).
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;

interface GpuDeviceLike {
  createBuffer(descriptor: { size: number; usage: number }): { destroy(): void };
  queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBufferLike, dataOffset: number, size: number): void };
}

/** Uploads a float32 tensor into a GPU storage buffer that ORT's WebGPU sessions read in place. */
async function gpuTensor(t: HostTensor<'float32'>): Promise<{ tensor: ort.Tensor; dispose: () => void }> {
  const device = (await ort.env.webgpu.device) as unknown as GpuDeviceLike;
  const bytes = t.data.byteLength;
  const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: STORAGE | COPY_SRC | COPY_DST });
  device.queue.writeBuffer(buffer, 0, t.data.buffer, t.data.byteOffset, bytes);
  const tensor = ort.Tensor.fromGpuBuffer(buffer as never, { dataType: 'float32', dims: t.dims });
  return { tensor, dispose: () => (tensor.dispose(), buffer.destroy()) };
}

function wrapSession(session: ort.InferenceSession, backend: 'webgpu' | 'wasm'): GraphSession {
  return wrapOrtSession<ort.Tensor>(session, {
    backend,
    Tensor: ort.Tensor,
    beforeRun: yieldToEvents,
    // Outputs are CPU-located (the default preferredOutputLocation); getData() reads them, dispose() frees ORT's copy.
    readOutput: async (name, t) => {
      const host = fromOrt(name, { type: t.type, dims: t.dims, data: await t.getData() });
      t.dispose();
      return host;
    },
    place: backend === 'webgpu' ? gpuTensor : undefined,
  });
}
