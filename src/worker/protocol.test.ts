// The worker protocol end to end without a browser: the real client and the real worker side (serveEngine
// on an EngineSession) talk over a MessageChannel, with tiny random models on onnxruntime-node.

import { afterEach, describe, expect, it } from 'vitest';
import { hetaScores } from '../engine/attribution/components';
import { attribute } from '../engine/attribution/heta';
import type { AttributionResult } from '../engine/attribution/schema';
import type { AttributionModel } from '../engine/model/attributionModel';
import { loadTinyModel } from '../testing/tinyModel';
import { AttributionClient, CancelledError, type WorkerLike } from './client';
import type { FromWorker, JobProgress, ToWorker } from './protocol';
import { serveEngine, type Endpoint, type ModelHost } from './serve';

const PROMPT = 'the quick brown fox jumps over the lazy dog and the cat sat on the mat';
/** About 80 tokens of the tiny models' byte-level vocabulary (they read 128). */
const LONG_PROMPT = `${PROMPT} ${PROMPT}`;

/** Counts model passes in flight at once (onnxruntime sessions must never run concurrently). */
function watchOverlap(model: AttributionModel): { most: () => number } {
  let inFlight = 0;
  let most = 0;
  const m = model as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['embed', 'inspect', 'logitsAt', 'logitsAtRows', 'gradient', 'probeContext', 'hessianProbe']) {
    const original = m[name].bind(model);
    m[name] = async (...a: unknown[]) => {
      most = Math.max(most, ++inFlight);
      try {
        return await original(...a);
      } finally {
        inFlight--;
      }
    };
  }
  return { most: () => most };
}

/** A host whose bundle URLs name tiny random models: `/tiny/<seed>/`. */
function tinyHost(opened: AttributionModel[]): ModelHost {
  return {
    async open(source, ctx) {
      if (source.kind !== 'url') throw new Error(`this test host opens bundle URLs only, not ${source.kind}`);
      const seed = Number(/\/tiny\/(\d+)\//.exec(source.baseUrl)?.[1]);
      if (!Number.isInteger(seed)) throw new Error(`could not download heta.json from ${source.baseUrl}: HTTP 404 (not found)`);
      ctx.progress('load', 0, 1, 'compiling a tiny model');
      const { model } = await loadTinyModel({ family: 'llama', gqa: true, seed, maxPositions: 128 });
      opened.push(model);
      return { model, origin: 'test', plan: null, notice: null };
    },
    listStored: async () => ({ models: [], usage: null }),
    deleteStored: async () => ({ models: [], usage: null }),
  };
}

interface Connection {
  client: AttributionClient;
  /** Every message the client sent, and received, in order. */
  sent: ToWorker[];
  received: FromWorker[];
  opened: AttributionModel[];
  /** Workers started so far. */
  workers: WorkerLike[];
}

const connections: Connection[] = [];

function connect(): Connection {
  const sent: ToWorker[] = [];
  const received: FromWorker[] = [];
  const opened: AttributionModel[] = [];
  const workers: WorkerLike[] = [];
  const client = new AttributionClient(() => {
    const channel = new MessageChannel();
    serveEngine(channel.port1 as unknown as Endpoint, tinyHost(opened));
    const worker: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage: (m) => {
        sent.push(m);
        channel.port2.postMessage(m);
      },
      terminate: () => {
        channel.port1.close();
        channel.port2.close();
      },
    };
    channel.port2.onmessage = (e: MessageEvent<FromWorker>) => {
      received.push(e.data);
      worker.onmessage?.(e);
    };
    workers.push(worker);
    return worker;
  });
  const connection = { client, sent, received, opened, workers };
  connections.push(connection);
  return connection;
}

afterEach(async () => {
  for (const c of connections.splice(0)) {
    c.client.dispose();
    for (const m of c.opened) await m.release();
  }
});

const calls = (sent: ToWorker[]) => sent.filter((m) => m.kind === 'call').map((m) => (m.kind === 'call' ? m.call.name : ''));

describe('the worker protocol over a MessageChannel', () => {
  it('load: the model card and load progress', async () => {
    const { client } = connect();
    const progress: JobProgress[] = [];
    const card = await client.loadModel('/tiny/3/', 'wasm', (p) => progress.push(p));
    expect(card).toMatchObject({ id: 'tiny-llama', architecture: 'LlamaForCausalLM', backend: 'cpu', origin: 'test', maxPositions: 128 });
    expect(progress).toEqual([{ stage: 'load', done: 0, total: 1, detail: 'compiling a tiny model', remainingMs: null, files: [], part: null }]);
    await expect(client.loadModel('/nothing/', 'wasm')).rejects.toThrow(/HTTP 404/);
  });

  it('a Run is one request: tokens and predictions first, partial results as typed arrays, then the result the engine computes', async () => {
    const { client, sent, received, opened } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    const before = sent.length;
    const events: string[] = [];
    const partials: AttributionResult[] = [];
    const job = client.run(PROMPT, { kind: 'next' }, { m: 2, seed: 1 }, {
      onPredicted: (p) => events.push(`predicted ${p.tokens.length} tokens, ${p.predictions.length} predictions`),
      onProgress: (p) => events.push(p.stage),
      onPartial: (r) => partials.push(r),
    });
    const { result, resultId } = await job.result;
    expect(sent.slice(before)).toHaveLength(1);
    expect(calls(sent.slice(before))).toEqual(['run']);
    expect(events[0]).toMatch(/^predicted \d+ tokens, 10 predictions$/);
    expect(events.slice(1)).toContain('hessian');
    expect(resultId).toMatch(/^r\d+$/);
    // Partial results travel as their own messages with typed arrays, and arrive as results again.
    expect(received.some((m) => m.kind === 'partial' && m.partial.S instanceof Float64Array)).toBe(true);
    expect(partials.length).toBeGreaterThan(0);
    expect(partials[0].tokens).toEqual(result.tokens);
    expect(partials[0].components.M).toEqual(result.components.M);
    // The same attribution computed in this process, without the wire.
    const direct = await attribute(opened[0], PROMPT, { kind: 'next' }, { m: 2, seed: 1 });
    expect(result.scores).toEqual(direct.scores);
    expect(result.components.S_probes).toEqual(direct.components.S_probes);
  });

  it('cancel stops a run mid-way; the session takes the next run', async () => {
    const { client } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    let cancelledAt: JobProgress | null = null;
    const job = client.run(LONG_PROMPT, { kind: 'next' }, { m: 40, seed: 0 }, {
      onProgress: (p) => {
        if (p.stage === 'hessian' && p.done > 0 && !cancelledAt) {
          cancelledAt = p;
          job.cancel();
        }
      },
    });
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
    expect(cancelledAt!.done).toBeLessThan(cancelledAt!.total);
    const next = await client.run(PROMPT, { kind: 'next' }, { m: 1 }).result;
    expect(next.result.scores.every(Number.isFinite)).toBe(true);
  });

  it('supersede: a second call waits for the first; a queued call cancelled before it starts never runs', async () => {
    const { client, opened } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    const overlap = watchOverlap(opened[0]);
    const order: string[] = [];
    const first = client.run(LONG_PROMPT, { kind: 'next' }, { m: 20 }, { onPredicted: () => order.push('first started') });
    const second = client.run(PROMPT, { kind: 'next' }, { m: 1 }, { onPredicted: () => order.push('second started') });
    const third = client.run(PROMPT, { kind: 'next' }, { m: 1 }, { onPredicted: () => order.push('third started') });
    const preview = client.preview(PROMPT).then(() => order.push('preview'));
    third.cancel();
    await expect(third.result).rejects.toBeInstanceOf(CancelledError);
    first.cancel();
    await expect(first.result).rejects.toBeInstanceOf(CancelledError);
    await second.result;
    await preview;
    expect(order).toEqual(['first started', 'second started', 'preview']);
    expect(overlap.most()).toBe(1);
  });

  it('compare names the shown result by id: HETA reuses it with the view β and γ, equal to recomputing it', async () => {
    const { client } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    const { result, resultId } = await client.run(PROMPT, { kind: 'next' }, { m: 2, seed: 1 }).result;
    const target = { kind: 'next' as const, tokenId: result.target.id };
    const params = { ...result.params, beta: 1.5, gamma: 0.25 };
    const rows: string[] = [];
    const reused = await client.compare({ resultId, prompt: PROMPT, target, methods: ['heta', 'saliency'], params }, { onEvent: (e) => rows.push(e.row.method) }).result;
    expect(rows).toEqual(['heta', 'saliency']);
    const { M, S, I } = result.components;
    expect(reused.rows[0].scores).toEqual(Array.from(hetaScores(M, S, I, 1.5, 0.25, result.params.scaling)));
    const recomputed = await client.compare({ resultId: null, prompt: PROMPT, target, methods: ['heta'], params }).result;
    recomputed.rows[0].scores.forEach((v, i) => expect(v).toBeCloseTo(reused.rows[0].scores[i], 12));
    expect(reused.rows[1].scores.every(Number.isFinite)).toBe(true);
  });

  it('generate: the generated text, then each row with its own result id', async () => {
    const { client } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    const events: string[] = [];
    const ids: string[] = [];
    const generation = await client.generate('the cat', 2, { m: 1 }, {
      onEvent: (e) => {
        events.push(e.kind);
        if (e.kind === 'row') ids.push(e.resultId);
      },
    }).result;
    expect(events).toEqual(['generated', 'row', 'row', 'row']);
    expect(generation.rows).toHaveLength(2);
    expect(new Set(ids).size).toBe(3);
    expect(generation.rows.map((r) => r.target.position)).toEqual(generation.generated);
  });

  it('crash recovery: a crashed worker fails every pending call with a clear error; the next call starts a fresh worker', async () => {
    const { client, workers } = connect();
    await client.loadModel('/tiny/3/', 'wasm');
    const pending = client.run(LONG_PROMPT, { kind: 'next' }, { m: 20 });
    workers[0].onerror!({ message: 'out of memory', preventDefault() {} } as ErrorEvent);
    await expect(pending.result).rejects.toThrow(/the attribution worker crashed \(out of memory\); the model must be loaded again/);
    // The fresh worker has no model until it is loaded again.
    await expect(client.run(PROMPT, { kind: 'next' }, { m: 1 }).result).rejects.toThrow(/no model is loaded yet/);
    expect(workers).toHaveLength(2);
    await client.loadModel('/tiny/4/', 'wasm');
    const { result } = await client.run(PROMPT, { kind: 'next' }, { m: 1 }).result;
    expect(result.scores.every(Number.isFinite)).toBe(true);
  });
});
