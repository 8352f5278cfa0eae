// Bring your own model, in the worker: a hub model or a local folder becomes a loaded AttributionModel.
// Stored bundle → load it. Otherwise: config.json, memory plan against the device (refuse before
// downloading gigabytes), download with progress, compile and quantize, store (or run from memory
// when the browser refuses), load.

import { openCheckpoint, CONFIG_FILE } from '../engine/checkpoint/checkpoint';
import { CheckpointError } from '../engine/checkpoint/errors';
import { parseModelConfig } from '../engine/checkpoint/config';
import type { FileSource, ModelConfig } from '../engine/checkpoint/types';
import { compileBundle } from '../engine/compiler/bundle';
import { MANIFEST_FILE, parseBundleManifest } from '../engine/compiler/manifest';
import { planCheckpointDownload } from '../engine/hub/downloadPlan';
import { describeHubRef, formatHubSpec, HUB_SPEC_PREFIX, type HubRef } from '../engine/hub/hubRef';
import { hubFileSource, type FileProgress } from '../engine/hub/hubSource';
import { AttributionModel, memoryBundleSource, type BundleSource } from '../engine/model/attributionModel';
import { estimateMemory, planMemory, type MemoryPlan } from '../engine/model/memoryPlan';
import type { QuantScheme } from '../engine/quant/quantize';
import { createWebRuntime } from '../engine/runtime/webRuntime';
import type { Runtime } from '../engine/runtime/types';
import { GraphBuilder } from '../engine/ir/graph';
import { WeightFile, writeOnnx } from '../engine/onnx/writer';
import { BundleCache, StorageFullError, type NewStoredModel } from './bundleCache';
import { readDeviceMemory } from './deviceMemory';
import { openLocalFolder } from './localFiles';
import { originBoundFetch } from './originBoundFetch';
import { hubStoreKey, localSpec, localStoreKey } from './modelSpec';
import { fetchBundleSource } from './fetchBundle';
import type { BackendPreference, LocalFile, ProgressStage, StoredModels } from './protocol';
import type { ModelHost } from './serve';

export interface LoadContext {
  prefer: BackendPreference;
  signal: AbortSignal;
  progress(stage: ProgressStage, done: number, total: number, detail: string, files?: FileProgress[]): void;
}

export interface LoadedModel {
  model: AttributionModel;
  /** Where the bundle came from, for the model card. */
  origin: string;
  plan: MemoryPlan | null;
  notice: string | null;
}

/** Progress messages at most this often (a large download reports thousands of chunks). */
const PROGRESS_INTERVAL_MS = 100;

let cachePromise: Promise<BundleCache | null> | null = null;
let cacheUnavailable: string | null = null;

/** This version's bundle cache (stale versions are deleted on first use), or null where the browser has none. */
function bundleCache(): Promise<BundleCache | null> {
  cachePromise ??= (async () => {
    if (typeof caches === 'undefined') {
      cacheUnavailable = 'this browser gives no Cache Storage here (private window or insecure origin?)';
      return null;
    }
    try {
      return (await BundleCache.open(caches)).cache;
    } catch (e) {
      cacheUnavailable = `browser storage is unavailable (${e instanceof Error ? e.message : String(e)})`;
      return null;
    }
  })();
  return cachePromise;
}

/**
 * Sets up onnxruntime (its 28 MB WebAssembly module, threads, and the WebGPU device when chosen) with a
 * one-node session, so that this happens while the bundle downloads and is checked instead of after
 * (measured: 1.2–1.9 s of a demo-model load in Chromium on this machine). The returned runtime creates
 * the real session only once the warm-up has ended: two set-ups at once could race (a WebGPU fallback
 * changes the providers). Warm-up failures are left to the real session, which reports them.
 */
function warmedUp(runtime: Runtime): Runtime {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [1]);
  const graph = writeOnnx({ name: 'warm-up', inputs: [x], outputs: [{ name: 'y', value: x }] }, new WeightFile('none'));
  const warm = runtime
    .createSession({ graph, name: 'warm-up' })
    .then((s) => s.release())
    .catch(() => undefined);
  return {
    get backend() {
      return runtime.backend; // a WebGPU fallback changes it
    },
    get detail() {
      return runtime.detail;
    },
    createSession: (files) => warm.then(() => runtime.createSession(files)),
  };
}

async function loadBundle(source: BundleSource, ctx: LoadContext): Promise<AttributionModel> {
  const runtime = warmedUp(await createWebRuntime({ prefer: ctx.prefer }));
  return AttributionModel.load(source, runtime, (p) => ctx.progress('load', p.done, p.total, p.detail));
}

/** The memory plan for `config`; throws with the plan's message when the device cannot hold the model. */
async function checkMemory(config: ModelConfig, checkpointBytes: number, quant: QuantScheme, prefer: BackendPreference): Promise<MemoryPlan> {
  const plan = planMemory(config, estimateMemory(config, { checkpointBytes, quant }), await readDeviceMemory(prefer));
  if (plan.verdict === 'refused') throw new Error(plan.message);
  return plan;
}

async function readConfig(source: FileSource): Promise<ModelConfig> {
  const bytes = await source.read(CONFIG_FILE);
  try {
    return parseModelConfig(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    if (error instanceof SyntaxError) throw new CheckpointError(`${source.label}: ${CONFIG_FILE} is not valid JSON`, { file: CONFIG_FILE });
    throw error;
  }
}

/**
 * A compiled bundle (stored, served at a URL, or a prebuilt folder): the memory plan from its manifest
 * first, before the weights are read or downloaded, then the session.
 */
async function loadCheckedBundle(source: BundleSource, origin: string, ctx: LoadContext): Promise<LoadedModel> {
  const manifest = parseBundleManifest(await source.read(MANIFEST_FILE), source.label);
  const plan = await checkMemory(manifest.config, 0, manifest.quantization.requested, ctx.prefer);
  return { model: await loadBundle(source, ctx), origin, plan, notice: null };
}

const FROM_STORAGE = 'from browser storage (no download)';

/** Compile a checkpoint in this worker, store the bundle, load it. */
async function compileStoreLoad(
  source: FileSource,
  { config, modelId, checkpointBytes }: { config: ModelConfig; modelId: string; checkpointBytes: number },
  entry: Omit<NewStoredModel, 'modelId' | 'architecture' | 'parameters'>,
  ctx: LoadContext,
  reportFiles: () => FileProgress[] | undefined,
): Promise<LoadedModel> {
  const plan = await checkMemory(config, checkpointBytes, entry.quant, ctx.prefer);
  const ckpt = await openCheckpoint(source);
  const { manifest, files } = await compileBundle(ckpt, {
    quant: entry.quant,
    modelId,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress('compile', p.done, p.total, `${p.stage === 'load' ? 'converting' : p.stage} ${p.detail}`, reportFiles()),
  });
  ckpt.release(); // the checkpoint bytes are not needed any more: only the bundle is kept
  let origin = 'compiled in this browser and stored';
  let notice: string | null = null;
  const cache = await bundleCache();
  if (!cache) {
    origin = 'compiled in this browser, running from memory';
    notice = `Not stored: ${cacheUnavailable}. The model runs from memory and is downloaded again next time.`;
  } else {
    try {
      await cache.put({ ...entry, modelId: manifest.modelId, architecture: manifest.hfArchitecture, parameters: manifest.parameters }, files);
    } catch (e) {
      if (!(e instanceof StorageFullError)) throw e;
      origin = 'compiled in this browser, running from memory';
      notice = `Not stored: ${e.message}. The model runs from memory and is downloaded again next time; delete stored models to make room.`;
    }
  }
  const model = await loadBundle(memoryBundleSource(files, modelId), ctx);
  return { model, origin, plan, notice };
}

function throttled(send: () => void): { soon(): void; now(): void } {
  let last = 0;
  return {
    soon() {
      const t = Date.now();
      if (t - last >= PROGRESS_INTERVAL_MS) {
        last = t;
        send();
      }
    },
    now: send,
  };
}

async function loadHubModel(ref: HubRef, quant: QuantScheme, ctx: LoadContext): Promise<LoadedModel> {
  const key = hubStoreKey(ref, quant);
  const stored = await (await bundleCache())?.get(key);
  if (stored) return loadCheckedBundle(memoryBundleSource(stored.files, describeHubRef(ref)), FROM_STORAGE, ctx);

  let files: FileProgress[] | undefined;
  let totals = { loaded: 0, total: 0 };
  const report = throttled(() => ctx.progress('download', totals.loaded, totals.total, files?.find((f) => f.total === null || f.loaded < f.total)?.name ?? '', files));
  const source = hubFileSource(ref, {
    fetch: originBoundFetch(new URL(ref.hubUrl).origin),
    signal: ctx.signal,
    onProgress: (p) => {
      files = p.files;
      totals = p;
      report.soon();
    },
  });
  // config.json first: a wrong id, revision or architecture fails before anything large is asked for.
  const config = await readConfig(source);
  const plan = await planCheckpointDownload(source);
  await source.expect(plan.files);
  report.now();
  const modelId = formatHubSpec(ref).slice(HUB_SPEC_PREFIX.length);
  return compileStoreLoad(source, { config, modelId, checkpointBytes: totals.total }, { key, spec: formatHubSpec(ref), hubUrl: ref.hubUrl, quant }, ctx, () => files);
}

async function loadLocalModel(label: string, files: LocalFile[], quant: QuantScheme, ctx: LoadContext): Promise<LoadedModel> {
  const folder = openLocalFolder(files, label);
  if (folder.kind === 'bundle') return loadCheckedBundle(folder.source, `prebuilt bundle from the folder ${label}`, ctx);
  const bytes = files.reduce((sum, f) => sum + f.file.size, 0);
  const entry = { key: localStoreKey(label, quant), spec: localSpec(label), hubUrl: null, quant };
  return compileStoreLoad(folder.source, { config: await readConfig(folder.source), modelId: label, checkpointBytes: bytes }, entry, ctx, () => undefined);
}

async function loadBundleUrl(baseUrl: string, ctx: LoadContext): Promise<LoadedModel> {
  const source = fetchBundleSource(baseUrl, (p) => {
    const current = p.files.find((f) => f.total === null || f.loaded < f.total);
    ctx.progress('download', p.loaded, p.total, current?.name ?? '', p.files);
  });
  // The memory plan reads heta.json first, so a bundle too large for this device is refused before its weights download.
  return loadCheckedBundle(source, `served from ${baseUrl}`, ctx);
}

async function loadStoredModel(key: string, ctx: LoadContext): Promise<LoadedModel> {
  const stored = await (await bundleCache())?.get(key);
  if (!stored) throw new Error('this model is not stored in this browser (any more): load it from the hub or its folder again');
  return loadCheckedBundle(memoryBundleSource(stored.files, stored.info.modelId), FROM_STORAGE, ctx);
}

async function listStoredModels(): Promise<StoredModels> {
  const cache = await bundleCache();
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
  return {
    models: cache ? await cache.list() : [],
    usage: estimate?.usage !== undefined && estimate.quota !== undefined ? { usedBytes: estimate.usage, quotaBytes: estimate.quota } : null,
  };
}

async function deleteStoredModel(key: string): Promise<StoredModels> {
  await (await bundleCache())?.delete(key);
  return listStoredModels();
}

/** The browser's models: bundle URLs, hub checkpoints and picked folders (compiled here and stored), stored bundles. */
export const browserModelHost: ModelHost = {
  open(source, ctx) {
    switch (source.kind) {
      case 'url':
        return loadBundleUrl(source.baseUrl, ctx);
      case 'hub':
        return loadHubModel(source.ref, source.quant, ctx);
      case 'local':
        return loadLocalModel(source.label, source.files, source.quant, ctx);
      case 'stored':
        return loadStoredModel(source.key, ctx);
    }
  },
  listStored: listStoredModels,
  deleteStored: deleteStoredModel,
};
