// The worker shell: owns one loaded model and dispatches protocol requests to the engine.

import { attributeGeneration } from '../engine/attribution/generation';
import { attribute } from '../engine/attribution/heta';
import { compareMethods } from '../engine/eval/compare';
import { nextTokenPredictions } from '../engine/model/languageModel';
import type { AttributionModel } from '../engine/model/attributionModel';
import type { MemoryPlan } from '../engine/model/memoryPlan';
import { fetchBundleSource } from './fetchBundle';
import { deleteStoredModel, listStoredModels, loadCheckedBundle, loadHubModel, loadLocalModel, loadStoredModel, type LoadContext, type LoadedModel } from './modelLoader';
import type { CompareEvent, GenerationEvent, ModelCard, WorkerRequest, WorkerResponse } from './protocol';

let model: AttributionModel | null = null;
/** The memory plan of a model brought by the user: caps batch size and prompt length on this device. */
let memoryPlan: MemoryPlan | null = null;
const running = new Map<number, AbortController>();
/** The model whose passes have run once: a session's first run is slow (lazy set-up), and a time estimate scales from the preview's. */
let warmed: AttributionModel | null = null;

function post(message: WorkerResponse): void {
  self.postMessage(message);
}

function card(m: AttributionModel): ModelCard {
  const c = m.config;
  return {
    id: m.manifest.modelId,
    architecture: m.manifest.hfArchitecture,
    parameters: m.manifest.parameters,
    quantization: m.manifest.quantization.requested,
    layers: c.numLayers,
    heads: c.numHeads,
    hiddenSize: c.hiddenSize,
    vocabSize: c.vocabSize,
    maxPositions: c.maxPositions,
    backend: m.backend,
    backendDetail: m.backendDetail,
    config: c,
  };
}

function loadContext(requestId: number, prefer: LoadContext['prefer'], signal: AbortSignal): LoadContext {
  return {
    prefer,
    signal,
    progress: (stage, done, total, detail, files) => post({ type: 'progress', requestId, stage, done, total, detail, files }),
  };
}

/**
 * Frees the current model before one brought by the user is loaded: the UI has already let it go, and
 * two models (plus a compilation) at once could exhaust the device's memory.
 */
async function dropModel(): Promise<void> {
  const old = model;
  model = null;
  memoryPlan = null;
  await old?.release();
}

/** Makes a model brought by the user the current one; its card says where it came from and what memory allows. */
function install(loaded: LoadedModel, requestId: number): WorkerResponse {
  model = loaded.model;
  memoryPlan = loaded.plan;
  const base = card(loaded.model);
  const plan = loaded.plan;
  return {
    type: 'model-loaded',
    requestId,
    model: {
      ...base,
      maxPositions: Math.min(base.maxPositions, plan?.maxContext ?? Infinity),
      origin: loaded.origin,
      memory: plan && plan.verdict !== 'refused' ? { verdict: plan.verdict, message: [plan.message, plan.gpuNote].filter(Boolean).join(' ') } : undefined,
      notice: loaded.notice ?? undefined,
    },
  };
}

function requireModel(): AttributionModel {
  if (!model) throw new Error('no model is loaded yet');
  return model;
}

async function handle(req: Exclude<WorkerRequest, { type: 'cancel' }>, signal: AbortSignal): Promise<WorkerResponse> {
  switch (req.type) {
    case 'load-model': {
      const source = fetchBundleSource(req.baseUrl, (p) => {
        const current = p.files.find((f) => f.total === null || f.loaded < f.total);
        post({ type: 'progress', requestId: req.requestId, stage: 'download', done: p.loaded, total: p.total, detail: current?.name ?? '', files: p.files });
      });
      // The memory plan reads heta.json first, so a bundle too large for this device is refused before its weights download.
      const loaded = await loadCheckedBundle(source, `served from ${req.baseUrl}`, loadContext(req.requestId, req.prefer, signal));
      await model?.release();
      return install(loaded, req.requestId);
    }
    case 'predict': {
      const m = requireModel();
      const tokens = m.tokenizer.encode(req.prompt);
      if (tokens.length === 0 || tokens.length > m.config.maxPositions) return { type: 'predicted', requestId: req.requestId, tokens, predictions: [], forwardMs: 0 };
      if (warmed !== m) {
        await nextTokenPredictions(m, [0, 0], 1);
        warmed = m;
      }
      const started = performance.now();
      const predictions = await nextTokenPredictions(m, tokens.map((t) => t.id), 10);
      return { type: 'predicted', requestId: req.requestId, tokens, predictions, forwardMs: performance.now() - started };
    }
    case 'attribute': {
      const result = await attribute(requireModel(), req.prompt, req.target, req.params, {
        signal,
        maxBatch: memoryPlan?.maxBatch,
        onProgress: (p) => post({ type: 'progress', requestId: req.requestId, stage: p.phase, done: p.done, total: p.total, detail: '', partial: p.partial, remainingMs: p.remainingMs ?? undefined }),
      });
      return { type: 'result', requestId: req.requestId, result };
    }
    case 'attribute-generation': {
      const event = (e: GenerationEvent) => post({ type: 'generation-progress', requestId: req.requestId, event: e });
      const result = await attributeGeneration(requireModel(), req.prompt, req.steps, req.params, {
        signal,
        onGenerated: (generated) => event({ kind: 'generated', generated }),
        onRow: (row, r) => event({ kind: 'row', row, result: r }),
        onProgress: (p) => event({ kind: 'stage', row: p.row, rows: p.rows, stage: p.phase, done: p.done, total: p.total }),
      });
      return { type: 'generation-result', requestId: req.requestId, result };
    }
    case 'compare': {
      const event = (e: CompareEvent) => post({ type: 'compare-progress', requestId: req.requestId, event: e });
      const comparison = await compareMethods(requireModel(), req.prompt, req.target, req.methods, {
        heta: req.params,
        provided: req.heta,
        maxBatch: memoryPlan?.maxBatch,
        signal,
        onRow: (row, index) => event({ kind: 'row', index, row }),
        onProgress: (index, label, done, total) => event({ kind: 'stage', index, label, done, total }),
      });
      return { type: 'compare-result', requestId: req.requestId, comparison };
    }
    case 'load-hub-model':
      await dropModel();
      return install(await loadHubModel(req.ref, req.quant, loadContext(req.requestId, req.prefer, signal)), req.requestId);
    case 'load-local-model':
      await dropModel();
      return install(await loadLocalModel(req.label, req.files, req.quant, loadContext(req.requestId, req.prefer, signal)), req.requestId);
    case 'load-stored-model':
      await dropModel();
      return install(await loadStoredModel(req.key, loadContext(req.requestId, req.prefer, signal)), req.requestId);
    case 'list-stored-models':
      return { type: 'stored-models', requestId: req.requestId, stored: await listStoredModels() };
    case 'delete-stored-model':
      return { type: 'stored-models', requestId: req.requestId, stored: await deleteStoredModel(req.key) };
    default: {
      const unreachable: never = req;
      throw new Error(`unknown request ${JSON.stringify(unreachable)}`);
    }
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  if (req.type === 'cancel') {
    running.get(req.requestId)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(req.requestId, controller);
  try {
    post(await handle(req, controller.signal));
  } catch (e) {
    if (controller.signal.aborted) post({ type: 'cancelled', requestId: req.requestId });
    else post({ type: 'error', requestId: req.requestId, message: e instanceof Error ? e.message : String(e) });
  } finally {
    running.delete(req.requestId);
  }
};
