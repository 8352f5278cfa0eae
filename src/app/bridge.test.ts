import { describe, expect, it } from 'vitest';
import { AttributionClient, CancelledError, type Job, type WorkerLike } from '../worker/client';
import type { ModelCard, StoredModelInfo, ToWorker } from '../worker/protocol';
import type { Comparison, GenerationResult } from './engine';
import type { CompareRequest } from '../engine/session/engineSession';
import { createBridge, EMPTY_PROMPT, type ClientLike } from './bridge';
import { createAppStore } from './store';
import { sampleResult } from '../testing/sampleResult';
import { CATALOG } from '../engine/model/catalog';

const card: ModelCard = {
  id: 'tiny',
  architecture: 'LlamaForCausalLM',
  parameters: 1000,
  quantization: 'q8',
  layers: 2,
  heads: 4,
  hiddenSize: 32,
  vocabSize: 320,
  maxPositions: 12,
  backend: 'wasm',
  backendDetail: 'WebAssembly, 1 thread',
  origin: 'served from /models/demo/bundle/',
  memory: null,
  notice: null,
  // A tiny model's shape: its runs are estimated at well under a second.
  config: { ...CATALOG[0].config, numLayers: 2, numHeads: 4, numKvHeads: 4, hiddenSize: 32, headDim: 8, intermediateSize: 64, vocabSize: 320, maxPositions: 12 },
};

function fakeClient(options: { loadError?: string; hang?: boolean; card?: ModelCard; forwardMs?: number } = {}) {
  const calls: string[] = [];
  const requests: CompareRequest[] = [];
  const r = sampleResult();
  /** A call that settles after 5 ms (or never, with `hang`) unless cancelled. */
  function job<T>(events: () => void, value: () => T): Job<T> {
    let cancel = () => {};
    const result = new Promise<T>((resolve, reject) => {
      cancel = () => reject(new CancelledError('cancelled'));
      events();
      if (!options.hang)
        setTimeout(() => {
          try {
            resolve(value());
          } catch (e) {
            reject(e);
          }
        }, 5);
    });
    return { result, cancel: () => cancel() };
  }
  const preview = (prompt: string) => {
    const n = prompt.split(' ').length;
    return { tokens: r.tokens.slice(0, 1).concat(Array.from({ length: n - 1 }, () => r.tokens[1])), predictions: r.predictions, forwardMs: options.forwardMs ?? 1 };
  };
  const client: ClientLike = {
    async loadModel(url) {
      calls.push(`load ${url}`);
      if (options.loadError) throw new Error(options.loadError);
      return options.card ?? card;
    },
    async preview(prompt) {
      calls.push(`preview ${prompt}`);
      return preview(prompt);
    },
    run(prompt, target, params, handlers = {}) {
      calls.push(`run ${JSON.stringify(target)} m=${params.m}`);
      const tooLong = prompt.split(' ').length > card.maxPositions;
      return job(
        () => {
          handlers.onPredicted?.(preview(prompt));
          handlers.onProgress?.({ stage: 'hessian', done: 0, total: 3, detail: '', remainingMs: null, files: [], part: null });
          handlers.onPartial?.(r);
        },
        () => {
          if (tooLong) throw new Error(`the prompt is too long: ${prompt.split(' ').length} tokens, but tiny reads at most ${card.maxPositions}`);
          return { resultId: `id-${prompt}`, result: { ...r, prompt } };
        },
      );
    },
    generate(prompt, steps, params, handlers = {}) {
      calls.push(`generate ${prompt} steps=${steps} m=${params.m}`);
      const text = `${prompt} x y`;
      const tokens = [...r.tokens.slice(0, 2), { ...r.tokens[1], text: ' x' }, { ...r.tokens[1], text: ' y' }];
      const generated = { text, tokens, generated: [2, 3] };
      const rows = generated.generated.map((position) => ({ ...r, prompt: text, target: { ...r.target, kind: 'position' as const, position } }));
      const continuation = { ...r, prompt: text, target: { ...r.target, kind: 'span' as const, position: 2, span: { ids: [1, 1], text: ' x y', end: 4, logprob: -3, continuation: null } } };
      return job(
        () => {
          handlers.onEvent?.({ kind: 'generated', generated });
          handlers.onProgress?.({ stage: 'hessian', done: 1, total: 3, detail: '', remainingMs: null, files: [], part: { index: 0, count: 2 } });
          handlers.onEvent?.({ kind: 'row', row: 0, result: rows[0], resultId: 'g0' });
          if (options.hang) return;
          handlers.onEvent?.({ kind: 'row', row: 1, result: rows[1], resultId: 'g1' });
          handlers.onEvent?.({ kind: 'row', row: 2, result: continuation, resultId: 'g2' });
        },
        (): GenerationResult => ({ schema: 'heta-generation', version: 2, prompt, ...generated, rows, continuation }),
      );
    },
    compare(request, handlers = {}) {
      calls.push(`compare ${JSON.stringify(request.target)} ${request.methods.join(',')} beta=${request.params.beta} result=${request.resultId}`);
      requests.push(request);
      const p = r.target.position;
      const rows = request.methods.map((method) => ({ method, label: method, scores: Array.from({ length: p }, (_, i) => i), deletion: [1, 2], aopc: 1.5, ms: 1 }));
      return job(
        () => {
          handlers.onProgress?.({ stage: 'compare', done: 1, total: 2, detail: 'masked', remainingMs: null, files: [], part: { index: 0, count: rows.length } });
          handlers.onEvent?.({ kind: 'row', index: 0, row: rows[0] });
          if (options.hang) return;
          rows.slice(1).forEach((row, k) => handlers.onEvent?.({ kind: 'row', index: k + 1, row }));
        },
        (): Comparison => ({ target: { id: r.target.id, position: p, logprob: 0 }, fractions: [0.5, 1], rows }),
      );
    },
  };
  return { client, calls, requests };
}

const settle = () => new Promise((res) => setTimeout(res, 20));
/** The page the app runs on in these tests: links to its origin load without asking. */
const PAGE = 'https://lens.example/';

describe('bridge', () => {
  it('loads the model, then runs in one call: tokens and predictions first, then the partial and final result', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    expect(store.getState()).toMatchObject({ modelStatus: 'ready', model: card });
    store.getState().setPrompt('a b c');
    store.getState().setRunParams(3, 1);
    const running = bridge.run();
    await Promise.resolve();
    await running;
    expect(calls).toEqual(['load /models/demo/bundle/', 'run {"kind":"next"} m=3']);
    expect(store.getState().preview).toMatchObject({ prompt: 'a b c' });
    expect(store.getState()).toMatchObject({ runStatus: 'done', resultFinal: true, workerRuns: 1 });
  });
  it('a run estimated to take longer than 20 s waits for a go-ahead; declining runs nothing', async () => {
    // A SmolLM2-135M-shaped card whose 10-token forward pass took 400 ms: 10 tokens at m = 10 is ≈ 40 s.
    const smol = CATALOG.find((m) => m.hubId === 'HuggingFaceTB/SmolLM2-135M')!;
    const big: ModelCard = { ...card, id: 'smol', config: smol.config, maxPositions: 2048 };
    const store = createAppStore();
    const { client, calls } = fakeClient({ card: big, forwardMs: 400 });
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    store.getState().setPrompt('a b c d e f g h i j');
    store.getState().setRunParams(10, 0);
    await bridge.run();
    const s = store.getState();
    expect(s.runStatus).toBe('confirm');
    expect(s.runEstimate!.ms).toBeGreaterThan(20_000);
    expect(s.runEstimate!.basis).toBe('first pass');
    // No preview yet: the run's first event brings the forward pass's time, and the run stops there to ask.
    expect(calls.filter((c) => c.startsWith('run'))).toHaveLength(1);
    expect(store.getState().workerRuns).toBe(0);
    bridge.declineLongRun();
    expect(store.getState().runStatus).toBe('idle');
    await bridge.run({ confirmed: true });
    expect(calls.filter((c) => c.startsWith('run'))).toHaveLength(2);
    expect(store.getState().runStatus).toBe('done');
    // With the preview known, a long run asks before anything is sent.
    await bridge.run();
    expect(store.getState().runStatus).toBe('confirm');
    expect(calls.filter((c) => c.startsWith('run'))).toHaveLength(2);
    // m = 1 is ≈ 6 s: it runs at once.
    store.getState().setRunParams(1, 0);
    await bridge.run();
    expect(store.getState().runStatus).toBe('done');
    expect(calls.filter((c) => c.startsWith('run'))).toHaveLength(3);
  });
  it('says so when the prompt is empty or longer than the context', async () => {
    const store = createAppStore();
    const { client } = fakeClient();
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    await bridge.run();
    expect(store.getState().runError).toBe(EMPTY_PROMPT);
    store.getState().setPrompt(Array.from({ length: 20 }, () => 'w').join(' '));
    await bridge.run();
    expect(store.getState().runError).toMatch(/too long: 20 tokens, but tiny reads at most 12/);
  });
  it('a model that fails to load gives a clear error and the app stays usable', async () => {
    const store = createAppStore({ modelUrl: '/nonexistent/' });
    const bridge = createBridge(store, fakeClient({ loadError: 'could not download heta.json from /nonexistent/: HTTP 404 (not found)' }).client);
    await bridge.loadModel();
    expect(store.getState().modelError).toBe('Could not load the model from /nonexistent/: could not download heta.json from /nonexistent/: HTTP 404 (not found)');
    store.getState().setPrompt('hello');
    await bridge.run();
    expect(store.getState().runError).toMatch(/No model is loaded/);
  });
  it('cancel stops the run and keeps the partial result', async () => {
    const store = createAppStore();
    const bridge = createBridge(store, fakeClient({ hang: true }).client);
    await bridge.loadModel();
    store.getState().setPrompt('a b');
    const running = bridge.run();
    await settle();
    expect(store.getState().runStatus).toBe('running');
    bridge.cancel();
    await running;
    expect(store.getState()).toMatchObject({ runStatus: 'cancelled', resultFinal: false });
    expect(store.getState().result).not.toBeNull();
  });
  it('a run asked for while the model loads starts once it is ready (link restore)', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: '/m/', prompt: 'x y', target: { kind: 'position', position: 1 }, beta: 1, m: 2, seed: 4 });
    expect(store.getState().runStatus).toBe('queued');
    await settle();
    expect(calls).toEqual(['load /m/', 'run {"kind":"position","position":1} m=2']);
    expect(store.getState()).toMatchObject({ beta: 1, seed: 4, runStatus: 'done' });
  });
  it('generates and attributes each generated token; a row shows in the main views', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    await bridge.generate();
    expect(store.getState().generationError).toBe(EMPTY_PROMPT);
    store.getState().setPrompt('a b');
    store.getState().setGenerateSteps(2);
    store.getState().setRunParams(3, 0);
    await bridge.generate();
    expect(calls.at(-1)).toBe('generate a b steps=2 m=3');
    const s = store.getState();
    expect(s.generationStatus).toBe('done');
    expect(s.generation?.rows.map((row) => row?.target.position)).toEqual([2, 3, 2]);
    s.showGenerationRow(1);
    expect(store.getState()).toMatchObject({ prompt: 'a b x y', target: { kind: 'position', position: 3 }, runStatus: 'done', resultFinal: true });
    expect(store.getState().result).toBe(s.generation?.rows[1]);
    // The last row is the whole continuation: a span over the generated tokens.
    s.showGenerationRow(2);
    expect(store.getState()).toMatchObject({ target: { kind: 'span', start: 2, end: 4 } });
    expect(store.getState().result).toBe(s.generation?.rows[2]);
  });
  it('a link with a generation runs the prompt, then generates and explains', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: '/m/', prompt: 'a b', m: 2, generate: 2 });
    await settle();
    await settle();
    expect(calls).toEqual(['load /m/', 'run {"kind":"next"} m=2', 'generate a b steps=2 m=2']);
    expect(store.getState()).toMatchObject({ runStatus: 'done', generationStatus: 'done', generateSteps: 2 });
  });
  it('cancel stops a generation and keeps the rows already done; a new run also stops it', async () => {
    const store = createAppStore();
    const bridge = createBridge(store, fakeClient({ hang: true }).client);
    await bridge.loadModel();
    store.getState().setPrompt('a b');
    const generating = bridge.generate();
    await settle();
    expect(store.getState().generationStatus).toBe('running');
    bridge.cancel();
    await generating;
    expect(store.getState().generationStatus).toBe('cancelled');
    expect(store.getState().generation?.rows.map((row) => row !== null)).toEqual([true, false, false]);
    const again = bridge.generate();
    await settle();
    const running = bridge.run();
    await again;
    expect(store.getState().generationStatus).toBe('cancelled');
    await settle();
    expect(store.getState().runStatus).toBe('running');
    bridge.cancel();
    await running;
    expect(store.getState().runStatus).toBe('cancelled');
  });
  it('a worker crash becomes a model error that asks for a reload', async () => {
    const store = createAppStore();
    let worker: WorkerLike | null = null;
    const client = new AttributionClient(() => {
      const w: WorkerLike = {
        onmessage: null,
        onerror: null,
        postMessage: (m: ToWorker) => {
          if (m.kind !== 'call') return;
          if (m.call.name === 'load') queueMicrotask(() => w.onmessage!({ data: { kind: 'done', id: m.id, reply: { name: 'load', response: card } } } as MessageEvent));
          if (m.call.name === 'run') queueMicrotask(() => w.onerror!({ message: 'out of memory', preventDefault() {} } as ErrorEvent));
        },
        terminate() {},
      };
      worker = w;
      return w;
    });
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    store.getState().setPrompt('hello');
    await bridge.run();
    expect(worker).not.toBeNull();
    expect(store.getState().modelStatus).toBe('error');
    expect(store.getState().modelError).toMatch(/^The attribution worker crashed \(out of memory\)/);
    expect(store.getState().runStatus).toBe('error');
  });
});

describe('backend switch', () => {
  it('a changed backend gets a fresh worker; the same backend keeps it', async () => {
    const workers: { terminated: boolean; loads: string[] }[] = [];
    const client = new AttributionClient(() => {
      const record = { terminated: false, loads: [] as string[] };
      workers.push(record);
      const worker: WorkerLike = {
        onmessage: null,
        onerror: null,
        postMessage: (m: ToWorker) => {
          if (m.kind === 'call' && m.call.name === 'load') {
            const prefer = m.call.request.prefer;
            record.loads.push(prefer);
            queueMicrotask(() => worker.onmessage!({ data: { kind: 'done', id: m.id, reply: { name: 'load', response: { ...card, backend: prefer === 'webgpu' ? 'webgpu' : 'wasm' } } } } as MessageEvent));
          }
        },
        terminate: () => (record.terminated = true),
      };
      return worker;
    });
    await client.loadModel('/m/', 'wasm');
    await client.loadModel('/m/', 'wasm');
    await client.loadModel('/m/', 'webgpu');
    await client.loadModel('/m/', 'wasm');
    expect(workers.map((w) => w.loads)).toEqual([['wasm', 'wasm'], ['webgpu'], ['wasm']]);
    expect(workers.map((w) => w.terminated)).toEqual([true, true, false]);
  });
});

describe('bridge.compare', () => {
  it('asks for a finished attribution first', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client);
    await bridge.compare();
    expect(store.getState()).toMatchObject({ compareStatus: 'error', compareError: expect.stringMatching(/Run an attribution first/) });
    expect(calls.some((c) => c.startsWith('compare'))).toBe(false);
  });

  it('compares the shown prompt and target; rows fill in as they arrive; HETA reuses the shown result by id with the view β', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    store.getState().setPrompt('a b c');
    await bridge.run();
    store.getState().setWeights(1.5, 0.5);
    store.getState().setCompareMethod('saliency', false);
    store.getState().setCompareMethod('ig', false);
    const r = store.getState().result!;
    await bridge.compare();
    // The shown result is named by its id, not sent back; the view's β goes with it (the worker recombines).
    expect(calls.at(-1)).toBe(`compare {"kind":"next","tokenId":${r.target.id}} heta,rollout,occlusion beta=1.5 result=id-a b c`);
    const s = store.getState();
    expect(s.compareStatus).toBe('done');
    expect(s.comparison!.methods).toEqual(['heta', 'rollout', 'occlusion']);
    expect(s.comparison!.rows.map((row) => row!.method)).toEqual(['heta', 'rollout', 'occlusion']);
  });

  it('cancel stops a comparison and keeps the rows already done; a new run also stops it', async () => {
    const store = createAppStore();
    const { client } = fakeClient({ hang: true });
    const bridge = createBridge(store, client);
    await bridge.loadModel();
    store.getState().setPrompt('a b c');
    store.setState({ result: { ...sampleResult(), prompt: 'a b c' }, resultFinal: true, runStatus: 'done' });
    const comparing = bridge.compare();
    await settle();
    expect(store.getState().compareStatus).toBe('running');
    expect(store.getState().compareProgress).toMatchObject({ index: 0, label: 'masked' });
    bridge.cancel();
    await comparing;
    expect(store.getState().compareStatus).toBe('cancelled');
    expect(store.getState().comparison!.rows.filter(Boolean)).toHaveLength(1);
    const again = bridge.compare();
    await settle();
    void bridge.run();
    await again;
    expect(store.getState().compareStatus).toBe('cancelled');
  });
});

describe('bridge: links to a model elsewhere wait for consent', () => {
  /** A client whose browser storage holds the bundles `stored` (keys). */
  function withStorage(stored: string[]) {
    const fake = fakeClient();
    const client: ClientLike = {
      ...fake.client,
      async listStoredModels() {
        fake.calls.push('list');
        return { models: stored.map((key) => ({ key }) as StoredModelInfo), usage: null };
      },
    };
    return { client, calls: fake.calls };
  }

  it('a bundle on another origin loads nothing until Load; then it loads and the link runs', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: 'https://tracker.example/b/', prompt: 'x y', m: 2 });
    await settle();
    expect(calls).toEqual([]);
    expect(store.getState()).toMatchObject({ modelStatus: 'consent', runStatus: 'queued', pendingDownload: { kind: 'bundle', host: 'tracker.example', url: 'https://tracker.example/b/' } });
    await bridge.confirmDownload();
    await settle();
    expect(calls).toEqual(['load https://tracker.example/b/', 'run {"kind":"next"} m=2']);
    expect(store.getState()).toMatchObject({ modelStatus: 'ready', runStatus: 'done', pendingDownload: null });
  });

  it("Don't download loads nothing, drops the link's run and says what happened", async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: 'hf:org/name', prompt: 'x y' });
    await settle();
    expect(store.getState().pendingDownload).toMatchObject({ kind: 'hub', host: 'huggingface.co', repo: 'org/name', revision: 'main', quant: 'q8' });
    bridge.declineDownload();
    await bridge.confirmDownload(); // too late: nothing is pending any more
    await settle();
    expect(calls).toEqual([]);
    expect(store.getState()).toMatchObject({ modelStatus: 'declined', runStatus: 'cancelled', pendingDownload: null });
    expect(store.getState().modelNote).toMatch(/^Nothing was downloaded from huggingface\.co\./);
    await bridge.run();
    expect(store.getState().runError).toMatch(/No model is loaded/);
  });

  it('a hub model stored in this browser loads without asking; one that is not stored asks', async () => {
    const stored = withStorage(['hub https://huggingface.co/org/name@main q8']);
    const store = createAppStore();
    createBridge(store, stored.client, { pageUrl: PAGE }).applyLink({ model: 'hf:org/name' });
    await settle();
    expect(stored.calls.slice(0, 2)).toEqual(['list', 'load hf:org/name']);
    expect(store.getState().modelStatus).toBe('ready');

    const other = withStorage(['hub https://huggingface.co/org/name@main q8']);
    const store2 = createAppStore();
    createBridge(store2, other.client, { pageUrl: PAGE }).applyLink({ model: 'hf:org/name@v2' });
    await settle();
    expect(other.calls).toEqual(['list']);
    expect(store2.getState().modelStatus).toBe('consent');
  });

  it('Load asks again when the hub address changed after the prompt was shown', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: 'hf:org/name' });
    await settle();
    store.getState().setHubSettings('https://mirror.example', 'q8');
    await bridge.confirmDownload();
    expect(calls).toEqual([]);
    expect(store.getState().pendingDownload).toMatchObject({ host: 'mirror.example' });
    await bridge.confirmDownload();
    expect(calls).toEqual(['load hf:org/name']);
  });

  it('an address that is not http(s) is refused with a message; bad link settings are listed', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: 'javascript:alert(1)', prompt: 'x' }, ['m=100000000: probes m must be an integer from 1 to 256']);
    await settle();
    expect(calls).toEqual([]);
    expect(store.getState()).toMatchObject({ modelStatus: 'error', runStatus: 'cancelled', linkProblems: ['m=100000000: probes m must be an integer from 1 to 256'] });
    expect(store.getState().modelError).toMatch(/not an http\(s\) address/);
  });

  it('a download waiting for consent replaces the loaded model; the page origin loads at once', async () => {
    const store = createAppStore();
    const { client, calls } = fakeClient();
    const bridge = createBridge(store, client, { pageUrl: PAGE });
    bridge.applyLink({ model: 'https://lens.example/models/x/' });
    await settle();
    expect(store.getState().modelStatus).toBe('ready');
    bridge.applyLink({ model: 'https://other.example/x/' });
    await settle();
    expect(store.getState()).toMatchObject({ modelStatus: 'consent', model: null });
    expect(calls).toEqual(['load https://lens.example/models/x/']);
  });
});
