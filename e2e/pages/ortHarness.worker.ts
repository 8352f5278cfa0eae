// Thin worker shell: fetches the files, runs one graph through the web runtime, reports back.

import { createWebRuntime } from '../../src/engine/runtime/webRuntime';
import type { HostTensor, Runtime } from '../../src/engine/runtime/types';
import { serveHarnessCalls } from './harnessCalls';
import type { JsonTensor, RunGraphRequest, RunGraphResult } from './ortHarnessProtocol';

const runtimes = new Map<string, Promise<Runtime>>();
const files = new Map<string, Promise<Uint8Array>>();

function fetchBytes(url: string): Promise<Uint8Array> {
  let p = files.get(url);
  if (!p) {
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`fetching ${url}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    });
    files.set(url, p);
    p.catch(() => files.delete(url));
  }
  return p;
}

function toHost(name: string, t: JsonTensor): HostTensor {
  switch (t.type) {
    case 'float32':
      return { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) };
    case 'int32':
      return { type: 'int32', dims: t.dims, data: Int32Array.from(t.data) };
    case 'int64':
      return { type: 'int64', dims: t.dims, data: BigInt64Array.from(t.data, (v) => BigInt(v)) };
    default:
      throw new Error(`feed '${name}': unsupported type '${String((t as { type: unknown }).type)}'`);
  }
}

function toJson(t: HostTensor): JsonTensor {
  const data = t.data instanceof BigInt64Array ? Array.from(t.data, (v) => Number(v)) : Array.from(t.data);
  return { type: t.type, dims: t.dims, data };
}

async function runGraph(req: RunGraphRequest): Promise<RunGraphResult> {
  const key = req.backend;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = createWebRuntime({ prefer: req.backend, numThreads: req.numThreads });
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  const t0 = performance.now();
  const [rt, graph, ...external] = await Promise.all([
    runtime,
    fetchBytes(req.graphUrl),
    ...(req.externalData ?? []).map((f) => fetchBytes(f.url)),
  ]);
  const t1 = performance.now();
  const session = await rt.createSession({
    graph,
    externalData: (req.externalData ?? []).map((f, i) => ({ path: f.path, data: external[i]! })),
    name: req.graphUrl.split('/').pop(),
    int4: req.int4,
  });
  const t2 = performance.now();
  try {
    const feeds: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(req.feeds)) feeds[name] = toHost(name, t);
    const runMs: number[] = [];
    let out: Record<string, HostTensor> = {};
    for (let i = 0; i < Math.max(1, req.repeat ?? 1); i++) {
      const s = performance.now();
      out = await session.run(feeds, req.outputs);
      runMs.push(performance.now() - s);
    }
    const outputs: Record<string, JsonTensor> = {};
    for (const [name, t] of Object.entries(out)) outputs[name] = toJson(t);
    return { backend: session.backend, detail: rt.detail, outputs, timings: { fetchMs: t1 - t0, createMs: t2 - t1, runMs } };
  } finally {
    await session.release();
  }
}

serveHarnessCalls(runGraph);
