// The worker side of the protocol: messages from an endpoint (the worker's global scope, or a MessagePort
// in tests) become calls on one EngineSession; its progress, events, partial results and answers go back.
// Dispatch only: the session owns the model, the job queue and cancellation; the host opens models.

import { EngineSession, type JobProgress } from '../engine/session/engineSession';
import type { LoadContext, LoadedModel } from './modelLoader';
import type { Call, CallName, Calls, FromWorker, ModelCard, ModelSource, Reply, StoredModels, ToWorker } from './protocol';
import { packResult } from './wire';

/** Where models come from: the browser's (modelLoader.ts) or a test's. */
export interface ModelHost {
  open(source: ModelSource, ctx: LoadContext): Promise<LoadedModel>;
  listStored(): Promise<StoredModels>;
  deleteStored(key: string): Promise<StoredModels>;
}

/** What serveEngine talks through: a worker's global scope or a MessagePort. */
export interface Endpoint {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

function card({ model: m, origin, plan, notice }: LoadedModel): ModelCard {
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
    maxPositions: Math.min(c.maxPositions, plan?.maxContext ?? Infinity),
    backend: m.backend,
    backendDetail: m.backendDetail,
    config: c,
    origin,
    memory: plan && plan.verdict !== 'refused' ? { verdict: plan.verdict, message: [plan.message, plan.gpuNote].filter(Boolean).join(' ') } : null,
    notice,
  };
}

/** Serves the protocol on `endpoint`; returns the session (its model is what the calls run on). */
export function serveEngine(endpoint: Endpoint, host: ModelHost): EngineSession<LoadedModel> {
  const session = new EngineSession<LoadedModel>();
  const running = new Map<number, AbortController>();

  async function dispatch(call: Call, id: number, signal: AbortSignal): Promise<Reply> {
    const send = (message: FromWorker, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);
    const progress = (p: JobProgress) => send({ kind: 'progress', id, progress: p });
    const event = (e: Calls[CallName]['event']) => send({ kind: 'event', id, event: e });
    switch (call.name) {
      case 'load': {
        const ctx: LoadContext = {
          prefer: call.request.prefer,
          signal,
          progress: (stage, done, total, detail, files = []) => progress({ stage, done, total, detail, remainingMs: null, files, part: null }),
        };
        const loaded = await session.load(() => host.open(call.request.source, ctx), { signal });
        return { name: 'load', response: card(loaded) };
      }
      case 'preview':
        return { name: 'preview', response: await session.preview(call.request.prompt, { signal }) };
      case 'run': {
        const { prompt, target, params } = call.request;
        const response = await session.run(prompt, target, params, {
          signal,
          onProgress: progress,
          onPredicted: (preview) => event({ kind: 'predicted', preview }),
          onPartial: (partial) => {
            const { packed, transfer } = packResult(partial);
            send({ kind: 'partial', id, partial: packed }, transfer);
          },
        });
        return { name: 'run', response };
      }
      case 'generate': {
        const { prompt, steps, params } = call.request;
        const response = await session.generate(prompt, steps, params, {
          signal,
          onProgress: progress,
          onGenerated: (generated) => event({ kind: 'generated', generated }),
          onRow: (row, result, resultId) => event({ kind: 'row', row, result, resultId }),
        });
        return { name: 'generate', response };
      }
      case 'compare':
        return { name: 'compare', response: await session.compare(call.request, { signal, onProgress: progress, onRow: (index, row) => event({ kind: 'row', index, row }) }) };
      case 'list-stored':
        return { name: 'list-stored', response: await host.listStored() };
      case 'delete-stored':
        return { name: 'delete-stored', response: await host.deleteStored(call.request.key) };
      default: {
        const unreachable: never = call;
        throw new Error(`unknown call ${JSON.stringify(unreachable)}`);
      }
    }
  }

  endpoint.onmessage = async (e: MessageEvent<ToWorker>) => {
    const message = e.data;
    if (message.kind === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const { id } = message;
    const controller = new AbortController();
    running.set(id, controller);
    try {
      endpoint.postMessage({ kind: 'done', id, reply: await dispatch(message.call, id, controller.signal) }, []);
    } catch (error) {
      if (controller.signal.aborted) endpoint.postMessage({ kind: 'cancelled', id }, []);
      else endpoint.postMessage({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) }, []);
    } finally {
      running.delete(id);
    }
  };
  return session;
}
