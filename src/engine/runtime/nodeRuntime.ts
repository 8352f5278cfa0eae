// The Node runtime: onnxruntime-node on the CPU execution provider, or on its WebGPU provider (Dawn over
// Vulkan: the WebGPU kernels the browser runs, on a real GPU without a browser; `npm run bench:gpu`).

import * as ort from 'onnxruntime-node';
import { checkGraphBytes, externalDataOption, loadError, SESSION_CONFIG, SESSION_OPTIONS } from './convert';
import { wrapOrtSession } from './session';
import type { GraphSession, ModelFiles, Runtime } from './types';

export interface NodeRuntimeOptions {
  /** Intra-op threads per session; default: ORT's choice (one per physical core). */
  threads?: number;
  /** 'webgpu' needs a Vulkan driver (the GPU's, or SwiftShader's through VK_ICD_FILENAMES). Default 'cpu'. */
  provider?: 'cpu' | 'webgpu';
}

export interface NodeRuntime extends Runtime {
  readonly backend: 'cpu' | 'webgpu';
}

export async function createNodeRuntime(options: NodeRuntimeOptions = {}): Promise<NodeRuntime> {
  const { threads, provider = 'cpu' } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`threads must be a positive integer, got ${threads}`);
  }
  const version = ort.env.versions.node ? ` ${ort.env.versions.node}` : '';
  const threadText = threads === undefined ? 'default threads' : `${threads} thread${threads === 1 ? '' : 's'}`;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    ...(threads !== undefined ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    ...SESSION_OPTIONS,
    extra: SESSION_CONFIG,
  };
  return {
    backend: provider,
    detail: provider === 'cpu' ? `onnxruntime-node${version} CPU, ${threadText}` : `onnxruntime-node${version} WebGPU (Dawn over Vulkan)`,
    async createSession(files: ModelFiles): Promise<GraphSession> {
      let session: ort.InferenceSession;
      try {
        checkGraphBytes(files);
        session = await ort.InferenceSession.create(files.graph, {
          ...sessionOptions,
          graphOptimizationLevel: files.optimization ?? 'all',
          // In-memory external data: ORT resolves each initializer's `location` against these
          // paths, so one Uint8Array can back the weights of several sessions (ORT copies it in).
          externalData: externalDataOption(files),
        });
      } catch (e) {
        throw loadError(files, provider, e);
      }
      return wrapSession(session, provider);
    },
  };
}

function wrapSession(session: ort.InferenceSession, backend: 'cpu' | 'webgpu'): GraphSession {
  return wrapOrtSession<ort.Tensor>(session, { backend, Tensor: ort.Tensor });
}
