import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import { makeTinyCheckpoint } from '../../testing/tinyCheckpoint';
import { planCheckpointDownload } from './downloadPlan';
import { HubError } from './hubErrors';
import { DEFAULT_HUB_URL, formatHubSpec, hubFileUrl, HubRefError, parseHubInput, parseHubSpec, type HubRef } from './hubRef';
import { hubFileSource, type DownloadProgress } from './hubSource';

describe('hub references and file URLs', () => {
  it('parses hf: specs with and without a revision', () => {
    expect(parseHubSpec('hf:HuggingFaceTB/SmolLM2-135M')).toEqual({ hubUrl: DEFAULT_HUB_URL, repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'main' });
    expect(parseHubSpec('hf:org/name@v1.0', 'http://127.0.0.1:9000/')).toEqual({ hubUrl: 'http://127.0.0.1:9000', repo: 'org/name', revision: 'v1.0' });
    expect(formatHubSpec({ repo: 'org/name', revision: 'main' })).toBe('hf:org/name');
    expect(formatHubSpec({ repo: 'org/name', revision: 'refs/pr/3' })).toBe('hf:org/name@refs/pr/3');
  });

  it('reads what a user types: ids, hub URLs with tree/resolve paths, a separate revision field', () => {
    expect(parseHubInput(' openai-community/gpt2 ', { revision: 'dev' })).toMatchObject({ repo: 'openai-community/gpt2', revision: 'dev' });
    expect(parseHubInput('hf:a/b@tag', { revision: 'dev' })).toMatchObject({ repo: 'a/b', revision: 'tag' });
    expect(parseHubInput('https://huggingface.co/Qwen/Qwen2.5-0.5B')).toEqual({ hubUrl: DEFAULT_HUB_URL, repo: 'Qwen/Qwen2.5-0.5B', revision: 'main' });
    expect(parseHubInput('https://huggingface.co/Qwen/Qwen2.5-0.5B/tree/abc123')).toMatchObject({ revision: 'abc123' });
    expect(parseHubInput('http://mirror.local/hub/org/name/resolve/v2/config.json')).toEqual({
      hubUrl: 'http://mirror.local/hub',
      repo: 'org/name',
      revision: 'v2',
    });
  });

  it('refuses ids and revisions that are not', () => {
    for (const bad of ['', 'a/b/c', 'org/na me', 'org/../x', '-org/name', 'org/name--x']) expect(() => parseHubInput(bad)).toThrow(HubRefError);
    expect(() => parseHubInput('org/name', { revision: '../main' })).toThrow(/not a revision/);
    expect(() => parseHubSpec('hf:org/name', 'ftp://x')).toThrow(/not an http/);
  });

  it('builds <base>/<org>/<name>/resolve/<revision>/<file> with the revision escaped', () => {
    const ref: HubRef = { hubUrl: 'https://huggingface.co', repo: 'org/name', revision: 'refs/pr/1' };
    expect(hubFileUrl(ref, 'model-00001-of-00002.safetensors')).toBe('https://huggingface.co/org/name/resolve/refs%2Fpr%2F1/model-00001-of-00002.safetensors');
  });
});

/** A fake hub over in-memory files: HEAD/GET with Content-Length, per-URL overrides for failures. */
function fakeHub(files: Record<string, Uint8Array>, override: (url: string, init?: RequestInit) => Response | Promise<Response> | null = () => null) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    init?.signal?.throwIfAborted();
    const special = await override(url, init);
    if (special) return special;
    const name = decodeURIComponent(url.split('/').pop()!);
    const bytes = files[name];
    if (!bytes) return new Response('Entry not found', { status: 404 });
    const headers = { 'content-length': String(bytes.byteLength) };
    return new Response(init?.method === 'HEAD' ? null : (bytes as Uint8Array<ArrayBuffer>), { status: 200, headers });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const REF: HubRef = { hubUrl: 'https://hub.test', repo: 'org/tiny', revision: 'main' };

describe('hub file source', () => {
  it('plans a sharded checkpoint from its index, reports per-file and total progress, and opens it', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', sharded: true, seed: 3 });
    const hub = fakeHub(files);
    const progress: DownloadProgress[] = [];
    const source = hubFileSource(REF, { fetch: hub.fetch, onProgress: (p) => progress.push(p) });
    const plan = await planCheckpointDownload(source);
    expect(plan.sharded).toBe(true);
    expect(plan.files).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'model.safetensors.index.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    await source.expect(plan.files);
    const expectedTotal = plan.files.reduce((sum, f) => sum + files[f]!.byteLength, 0);
    // Before any weights: config.json and the index are in, and the total counts every planned file.
    const jsonBytes = files['config.json']!.byteLength + files['model.safetensors.index.json']!.byteLength;
    expect(progress.at(-1)).toMatchObject({ loaded: jsonBytes, total: expectedTotal });

    const ckpt = await openCheckpoint(source);
    await ckpt.sha256(); // reads every file
    const last = progress.at(-1)!;
    expect(last.loaded).toBe(expectedTotal);
    expect(last.files.map((f) => [f.name, f.loaded === f.total])).toEqual(plan.files.map((f) => [f, true]));
    // Small JSON files are downloaded once although both the plan and the reader use them.
    expect(hub.calls.filter((c) => c.startsWith('GET') && c.endsWith('/model.safetensors.index.json'))).toHaveLength(1);
    expect(hub.calls.every((c) => c.includes('https://hub.test/org/tiny/resolve/main/'))).toBe(true);
  });

  it('plans a single-file checkpoint and refuses one without safetensors or tokenizer.json', async () => {
    const single = makeTinyCheckpoint({ family: 'gpt2' });
    expect((await planCheckpointDownload(hubFileSource(REF, { fetch: fakeHub(single).fetch }))).files.at(-1)).toBe('model.safetensors');
    const { 'model.safetensors': _weights, ...noWeights } = single;
    await expect(planCheckpointDownload(hubFileSource(REF, { fetch: fakeHub({ ...noWeights, 'pytorch_model.bin': new Uint8Array(1) }).fetch }))).rejects.toThrow(
      /neither model\.safetensors nor model\.safetensors\.index\.json/,
    );
    const { 'tokenizer.json': _tok, ...noTokenizer } = single;
    await expect(planCheckpointDownload(hubFileSource(REF, { fetch: fakeHub(noTokenizer).fetch }))).rejects.toThrow(CheckpointError);
  });

  it('rejects a shard index that names files outside the repository', async () => {
    const files = makeTinyCheckpoint({ family: 'llama', sharded: true });
    files['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ weight_map: { 'model.norm.weight': '../secret' } }));
    await expect(planCheckpointDownload(hubFileSource(REF, { fetch: fakeHub(files).fetch }))).rejects.toThrow(/invalid shard name/);
  });

  const failing = async (status: number) => {
    const source = hubFileSource(REF, { fetch: fakeHub({}, () => new Response('', { status })).fetch });
    return source.read('config.json').catch((e: unknown) => e);
  };

  it('maps 401/403 to gated or private, 404 to not found, other statuses to plain HTTP errors', async () => {
    for (const status of [401, 403]) {
      const e = (await failing(status)) as HubError;
      expect(e).toBeInstanceOf(HubError);
      expect(e.kind).toBe('unauthorized');
      expect(e.message).toMatch(new RegExp(`config\\.json: HTTP ${status} .*gated or private`));
    }
    const missing = (await failing(404)) as HubError;
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toBe('config.json: not found (HTTP 404) at https://hub.test/org/tiny/resolve/main/config.json. Check the model id and the revision');
    expect(((await failing(500)) as HubError).kind).toBe('http');
    // HEAD: a missing file is "not there" (has → false), a gated one is an error.
    expect(await hubFileSource(REF, { fetch: fakeHub({}).fetch }).has('tokenizer_config.json')).toBe(false);
    await expect(hubFileSource(REF, { fetch: fakeHub({}, () => new Response(null, { status: 401 })).fetch }).has('config.json')).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('says network or CORS when fetch itself fails', async () => {
    const source = hubFileSource(REF, {
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    const e = (await source.read('config.json').catch((x: unknown) => x)) as HubError;
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(/could not reach https:\/\/hub\.test\/.*Failed to fetch.*CORS: it must send Access-Control-Allow-Origin/);
  });

  it('detects a body that ends early or breaks off', async () => {
    const bytes = new Uint8Array(1000).fill(7);
    const short = hubFileSource(REF, { fetch: fakeHub({}, () => new Response(bytes.slice(0, 400), { headers: { 'content-length': '1000' } })).fetch });
    await expect(short.read('model.safetensors')).rejects.toMatchObject({
      kind: 'interrupted',
      message: expect.stringMatching(/^model\.safetensors: the download was interrupted after 400 of 1000 bytes/),
    });
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(bytes.slice(0, 300));
        else controller.error(new TypeError('network error'));
      },
    });
    const dropped = hubFileSource(REF, { fetch: fakeHub({}, () => new Response(broken, { headers: { 'content-length': '1000' } })).fetch });
    await expect(dropped.read('model.safetensors')).rejects.toMatchObject({ kind: 'interrupted', message: expect.stringContaining('after 300 of 1000 bytes') });
  });

  it('reads bodies of unknown length, and stops on abort without mapping it to a hub error', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    const gzip = hubFileSource(REF, { fetch: fakeHub({}, () => new Response(bytes, { headers: { 'content-encoding': 'gzip', 'content-length': '10' } })).fetch });
    expect(await gzip.read('model.safetensors')).toEqual(bytes);
    const controller = new AbortController();
    controller.abort();
    const source = hubFileSource(REF, { fetch: fakeHub({ 'config.json': bytes }).fetch, signal: controller.signal });
    const e = await source.read('config.json').catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(HubError);
    expect((e as Error).name).toBe('AbortError');
  });
});
