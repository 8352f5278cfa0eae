// What the worker may fetch: bundle files only inside the bundle's folder and never beyond the sizes
// heta.json announces; hub files only from the approved hub.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { memorySource } from '../engine/checkpoint/memorySource';
import { compileBundle } from '../engine/compiler/bundle';
import { MANIFEST_FILE, type BundleManifest } from '../engine/compiler/manifest';
import type { DownloadProgress } from '../engine/hub/hubSource';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { bundleFileUrl, fetchBundleSource, MAX_MANIFEST_BYTES, readCapped } from './fetchBundle';
import { originBoundFetch } from './originBoundFetch';

const folder = new URL('https://models.example/b/demo/');

/** A response whose body arrives in `chunks`; `length` is its Content-Length header (omitted when null). */
function streamed(chunks: number[], length: number | null = chunks.reduce((a, b) => a + b, 0)) {
  let pulled = 0;
  const cancel = vi.fn();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks.length) controller.close();
      else controller.enqueue(new Uint8Array(chunks[pulled++]!).fill(7));
    },
    cancel,
  });
  const headers = length === null ? undefined : { 'content-length': String(length) };
  return { response: new Response(body, { headers }), pulled: () => pulled, cancel };
}

describe('bundleFileUrl', () => {
  it('resolves plain names inside the folder', () => {
    expect(bundleFileUrl(folder, 'weights.bin').href).toBe('https://models.example/b/demo/weights.bin');
    expect(bundleFileUrl(folder, 'tokenizer_config.json').href).toBe('https://models.example/b/demo/tokenizer_config.json');
  });

  it('refuses URLs, protocol-relative and absolute paths, traversal and separators, naming the file and the rule', () => {
    const hostile = [
      'https://tracker.example/pixel.onnx',
      '//cdn.example/x.onnx',
      '../../other/x.onnx',
      '..',
      '.',
      '/etc/passwd',
      'sub/x.onnx',
      'a\\..\\b',
      'javascript:alert(1)',
      'C:x',
      'x\n.onnx',
      '',
      // '?', '#' and '%' would be a query, a fragment or an escape ('%2e%2e' is '..').
      'a?b#c.onnx',
      '%2e%2e',
      '.hidden',
    ];
    for (const name of hostile) {
      expect(() => bundleFileUrl(folder, name), JSON.stringify(name)).toThrow(
        `heta.json names the file ${JSON.stringify(name)}, which is not a plain file name inside the bundle folder https://models.example/b/demo/: refusing to download it. Bundle files must be plain names such as weights.bin`,
      );
    }
  });
});

describe('readCapped', () => {
  const limit = (bytes: number, exact = true) => ({ bytes, exact, reason: `heta.json announces ${bytes} bytes for it` });

  it('reads a body of exactly the announced size', async () => {
    const { response } = streamed([3, 4]);
    const seen: number[] = [];
    const bytes = await readCapped(response, 'a.onnx', limit(7), (loaded) => seen.push(loaded));
    expect(bytes.byteLength).toBe(7);
    expect(seen).toEqual([3, 7]);
  });

  it('fails before reading when Content-Length exceeds the announced size', async () => {
    const s = streamed([4, 4], 8);
    await expect(readCapped(s.response, 'a.onnx', limit(7))).rejects.toThrow('a.onnx: the server sends 8 bytes, but heta.json announces 7 bytes for it: download stopped');
    expect(s.pulled()).toBeLessThanOrEqual(1); // a stream may pre-pull one chunk; nothing is read by us
  });

  it('stops reading at the chunk that passes the announced size when the server sends no or a false length', async () => {
    for (const length of [null, 4]) {
      const s = streamed([4, 4, 4, 4, 4], length);
      await expect(readCapped(s.response, 'a.onnx', limit(6))).rejects.toThrow(/a\.onnx: the server sends more than 6 bytes, but heta\.json announces 6 bytes/);
      expect(s.pulled()).toBeLessThan(5);
      expect(s.cancel).toHaveBeenCalled();
    }
  });

  it('fails when fewer bytes arrive than announced', async () => {
    await expect(readCapped(streamed([3]).response, 'a.onnx', limit(7))).rejects.toThrow('a.onnx: received 3 bytes, but heta.json announces 7 bytes for it');
  });

  it('an upper bound (not exact) accepts less', async () => {
    expect((await readCapped(streamed([3]).response, MANIFEST_FILE, limit(10, false))).byteLength).toBe(3);
  });
});

describe('fetchBundleSource', () => {
  /** A real bundle (the manifest is read by the engine's parser, which refuses anything less). */
  let bundle: Map<string, Uint8Array>;
  let manifest: BundleManifest;
  beforeAll(async () => {
    const compiled = await compileBundle(await openCheckpoint(memorySource(makeTinyCheckpoint({ family: 'gpt2', seed: 4 }), 'ckpt')), { quant: 'none', modelId: 'tiny' });
    bundle = compiled.files;
    manifest = compiled.manifest;
  });
  afterEach(() => vi.unstubAllGlobals());

  function serve(files: Record<string, Uint8Array | string>) {
    const requested: string[] = [];
    vi.stubGlobal('self', { location: { href: 'https://lens.example/assets/worker.js' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: URL, init?: RequestInit) => {
        requested.push(url.href);
        expect(init?.redirect).toBe('error');
        const name = decodeURIComponent(url.pathname.split('/').pop()!);
        const body = files[name];
        return body === undefined ? new Response('nope', { status: 404 }) : new Response(body as BodyInit);
      }),
    );
    return requested;
  }

  it("caps each file at the size heta.json's files record for it and lists every file with its size", async () => {
    const [firstGraph] = Object.keys(manifest.files).filter((f) => f.endsWith('.onnx'));
    const served = { ...Object.fromEntries(bundle), [firstGraph]: new Uint8Array(manifest.files[firstGraph].bytes + 5) };
    const requested = serve(served);
    const progress: DownloadProgress[] = [];
    const source = fetchBundleSource('/models/demo', (p) => progress.push(p));
    expect(source.label).toBe('https://lens.example/models/demo/');
    await source.read(MANIFEST_FILE);
    expect(progress.at(-1)!.files.map((f) => [f.name, f.total])).toEqual([
      [MANIFEST_FILE, bundle.get(MANIFEST_FILE)!.byteLength],
      ...Object.entries(manifest.files).map(([name, record]) => [name, record.bytes]),
    ]);
    expect((await source.read(manifest.weights.file)).byteLength).toBe(manifest.weights.bytes);
    await expect(source.read(firstGraph)).rejects.toThrow(`${firstGraph}: the server sends more than ${manifest.files[firstGraph].bytes} bytes, but heta.json announces ${manifest.files[firstGraph].bytes} bytes for it`);
    expect(requested).toEqual([MANIFEST_FILE, manifest.weights.file, firstGraph].map((f) => `https://lens.example/models/demo/${f}`));
  });

  it('refuses hostile names, names heta.json does not list, and any file before heta.json, without a request', async () => {
    const requested = serve({ ...Object.fromEntries(bundle), 'extra.onnx': new Uint8Array(3) });
    const source = fetchBundleSource('https://models.example/b/');
    await expect(source.read(manifest.weights.file)).rejects.toThrow(`https://models.example/b/: ${manifest.weights.file} was asked for before heta.json: refusing to download it`);
    await source.read(MANIFEST_FILE);
    for (const name of ['https://tracker.example/pixel.onnx', '//cdn.example/x.onnx', '../../other/x.onnx']) {
      await expect(source.read(name)).rejects.toThrow(/which is not a plain file name inside the bundle folder https:\/\/models\.example\/b\/: refusing to download it/);
    }
    for (const name of ['extra.onnx', 'constructor', '__proto__']) {
      await expect(source.read(name)).rejects.toThrow(`https://models.example/b/: heta.json does not list ${JSON.stringify(name)} in its files: refusing to download it`);
    }
    expect(requested).toEqual(['https://models.example/b/heta.json']);
  });

  it("reads heta.json with the engine's manifest parser", async () => {
    serve({ [MANIFEST_FILE]: '{}' });
    await expect(fetchBundleSource('https://models.example/b/').read(MANIFEST_FILE)).rejects.toThrow('https://models.example/b/: not a HETA bundle (heta.json has format null)');
  });

  it('takes only http(s) folders', () => {
    serve({});
    expect(() => fetchBundleSource('data:text/plain,x/')).toThrow('data:text/plain,x/ is not an http(s) address');
  });

  it('bounds the manifest itself', async () => {
    serve({ [MANIFEST_FILE]: new Uint8Array(MAX_MANIFEST_BYTES + 1) });
    await expect(fetchBundleSource('/b/').read(MANIFEST_FILE)).rejects.toThrow(/heta\.json: the server sends more than 1048576 bytes, but a bundle's heta\.json is never larger than 1048576 bytes/);
  });
});

describe('originBoundFetch', () => {
  it('passes requests to the approved origin and refuses any other', async () => {
    const inner = vi.fn(async () => new Response('ok'));
    const bound = originBoundFetch('https://hub.example', inner);
    expect(await (await bound('https://hub.example/org/name/resolve/main/config.json')).text()).toBe('ok');
    await expect(bound('https://tracker.example/pixel')).rejects.toThrow('refusing to download https://tracker.example/pixel: it is not on https://hub.example');
    await expect(bound(new Request('http://hub.example/x'))).rejects.toThrow(/not on https:\/\/hub\.example/);
    expect(inner).toHaveBeenCalledTimes(1);
  });
});
