import { describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT_VERSION, COMPILER_VERSION } from '../engine/compiler/bundle';
import { BundleCache, CACHE_NAME, StorageFullError, type NewStoredModel } from './bundleCache';
import { hubStoreKey, localSpec, localStoreKey, specKind } from './modelSpec';

/** In-memory Cache Storage with an optional quota (bytes of response bodies). */
class FakeCache {
  readonly entries = new Map<string, ArrayBuffer>();
  constructor(private readonly quota: number) {}
  private used(): number {
    return [...this.entries.values()].reduce((sum, b) => sum + b.byteLength, 0);
  }
  async match(request: RequestInfo | URL) {
    const body = this.entries.get(String(request instanceof Request ? request.url : request));
    return body ? new Response(body.slice(0)) : undefined;
  }
  async put(request: RequestInfo | URL, response: Response) {
    const body = await response.arrayBuffer();
    if (this.used() + body.byteLength > this.quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.entries.set(String(request instanceof Request ? request.url : request), body);
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
  async delete(request: RequestInfo | URL) {
    return this.entries.delete(String(request instanceof Request ? request.url : request));
  }
}

class FakeCacheStorage {
  readonly caches = new Map<string, FakeCache>();
  constructor(private readonly quota = Infinity) {}
  async open(name: string) {
    let cache = this.caches.get(name);
    if (!cache) this.caches.set(name, (cache = new FakeCache(this.quota)));
    return cache as unknown as Cache;
  }
  async keys() {
    return [...this.caches.keys()];
  }
  async delete(name: string) {
    return this.caches.delete(name);
  }
}

const storage = (fake: FakeCacheStorage) => fake as unknown as CacheStorage;

const ENTRY: NewStoredModel = {
  key: hubStoreKey({ hubUrl: 'https://huggingface.co', repo: 'org/tiny', revision: 'main' }, 'q8'),
  spec: 'hf:org/tiny',
  hubUrl: 'https://huggingface.co',
  quant: 'q8',
  modelId: 'org/tiny',
  architecture: 'LlamaForCausalLM',
  parameters: 1234,
};
const FILES = new Map([
  ['heta.json', new TextEncoder().encode('{"format":"heta-bundle"}')],
  ['weights.bin', new Uint8Array(4096).fill(3)],
]);

describe('stored bundles', () => {
  it('is versioned by bundle format and compiler, and deletes caches of other versions only', async () => {
    expect(CACHE_NAME).toBe(`heta-bundles-f${BUNDLE_FORMAT_VERSION}-c${COMPILER_VERSION}`);
    const fake = new FakeCacheStorage();
    await fake.open('heta-bundles-f0-c7');
    await fake.open(CACHE_NAME);
    await fake.open('some-other-app');
    const { removed } = await BundleCache.open(storage(fake));
    expect(removed).toEqual(['heta-bundles-f0-c7']);
    expect(await fake.keys()).toEqual([CACHE_NAME, 'some-other-app']);
  });

  it('stores, lists with sizes, returns and deletes a bundle', async () => {
    const { cache } = await BundleCache.open(storage(new FakeCacheStorage()));
    const info = await cache.put(ENTRY, FILES);
    expect(info).toMatchObject({ ...ENTRY, files: ['heta.json', 'weights.bin'], bytes: 4096 + FILES.get('heta.json')!.byteLength });
    expect(await cache.list()).toEqual([info]);
    const got = await cache.get(ENTRY.key);
    expect(got?.files).toEqual(FILES);
    expect(await cache.delete(ENTRY.key)).toBe(true);
    expect(await cache.list()).toEqual([]);
    expect(await cache.get(ENTRY.key)).toBeNull();
  });

  it('drops an entry whose files are incomplete', async () => {
    const fake = new FakeCacheStorage();
    const { cache } = await BundleCache.open(storage(fake));
    await cache.put(ENTRY, FILES);
    const raw = fake.caches.get(CACHE_NAME)!;
    const weights = [...raw.entries.keys()].find((url) => url.endsWith('/weights.bin'))!;
    raw.entries.delete(weights);
    expect(await cache.get(ENTRY.key)).toBeNull();
    expect(raw.entries.size).toBe(0);
  });

  it('turns a quota error into StorageFullError and leaves nothing half-written', async () => {
    const fake = new FakeCacheStorage(1000);
    const { cache } = await BundleCache.open(storage(fake));
    const error = await cache.put(ENTRY, FILES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toMatch(/storage quota is exceeded/);
    expect(fake.caches.get(CACHE_NAME)!.entries.size).toBe(0);
    expect(await cache.list()).toEqual([]);
  });
});

describe('model addresses', () => {
  it('tells bundle URLs, hub ids and stored local folders apart, and keys stored bundles by source and quantization', () => {
    expect(specKind('/models/demo/bundle/')).toBe('bundle');
    expect(specKind('https://example.org/bundle/')).toBe('bundle');
    expect(specKind('hf:org/name@v1')).toBe('hub');
    expect(specKind(localSpec('my-llama'))).toBe('local');
    const ref = { hubUrl: 'https://huggingface.co', repo: 'org/name', revision: 'main' };
    expect(hubStoreKey(ref, 'q8')).not.toBe(hubStoreKey(ref, 'q4'));
    expect(hubStoreKey(ref, 'q8')).not.toBe(hubStoreKey({ ...ref, hubUrl: 'http://mirror' }, 'q8'));
    expect(hubStoreKey(ref, 'q8')).not.toBe(hubStoreKey({ ...ref, revision: 'v2' }, 'q8'));
    expect(localStoreKey('a', 'q8')).not.toBe(hubStoreKey(ref, 'q8'));
  });
});
