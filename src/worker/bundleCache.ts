// Compiled bundles stored in the browser (Cache API), so a model compiled once loads again without
// network. One cache per bundle format and compiler version: caches of other versions are deleted at
// startup. An entry's info record is written last, so an entry without one is an interrupted write.

import { BUNDLE_FORMAT_VERSION, COMPILER_VERSION, type BundleManifest } from '../engine/compiler/bundle';

export const CACHE_PREFIX = 'heta-bundles-';
export const CACHE_NAME = `${CACHE_PREFIX}f${BUNDLE_FORMAT_VERSION}-c${COMPILER_VERSION}`;
/** Entries are keyed by URLs on this made-up origin; nothing is ever fetched from it. */
const KEY_ORIGIN = 'https://stored-bundles.heta-lens.invalid/';
const INFO_FILE = '__info.json';

export interface StoredModelInfo {
  /** Identifies the entry: model source and quantization. */
  key: string;
  /** What the address field loads it with again (`hf:org/name@rev` or `local:<folder>`). */
  spec: string;
  /** The hub a `hf:` spec refers to. */
  hubUrl: string | null;
  quant: BundleManifest['quantization']['requested'];
  modelId: string;
  architecture: string;
  parameters: number;
  files: string[];
  bytes: number;
  /** Milliseconds since the epoch. */
  storedAt: number;
}

export type NewStoredModel = Omit<StoredModelInfo, 'files' | 'bytes' | 'storedAt'>;

/** The browser refused to store the bundle (quota); the model still runs from memory. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

const entryUrl = (key: string, file: string) => `${KEY_ORIGIN}${encodeURIComponent(key)}/${encodeURIComponent(file)}`;

function isQuotaError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message));
}

export class BundleCache {
  private constructor(private readonly cache: Cache) {}

  /** Opens this version's cache and deletes the caches of other versions. */
  static async open(storage: CacheStorage): Promise<{ cache: BundleCache; removed: string[] }> {
    const removed = (await storage.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME);
    await Promise.all(removed.map((name) => storage.delete(name)));
    return { cache: new BundleCache(await storage.open(CACHE_NAME)), removed };
  }

  async list(): Promise<StoredModelInfo[]> {
    const infos: StoredModelInfo[] = [];
    for (const request of await this.cache.keys()) {
      if (!request.url.endsWith(`/${INFO_FILE}`)) continue;
      const response = await this.cache.match(request);
      if (response) infos.push((await response.json()) as StoredModelInfo);
    }
    return infos.sort((a, b) => b.storedAt - a.storedAt);
  }

  /** The stored files, or null when the entry is absent or incomplete (then it is removed). */
  async get(key: string): Promise<{ info: StoredModelInfo; files: Map<string, Uint8Array> } | null> {
    const infoResponse = await this.cache.match(entryUrl(key, INFO_FILE));
    if (!infoResponse) return null;
    const info = (await infoResponse.json()) as StoredModelInfo;
    const files = new Map<string, Uint8Array>();
    for (const name of info.files) {
      const response = await this.cache.match(entryUrl(key, name));
      if (!response) {
        await this.delete(key);
        return null;
      }
      files.set(name, new Uint8Array(await response.arrayBuffer()));
    }
    return { info, files };
  }

  /** Stores a bundle; throws StorageFullError (leaving nothing behind) when the browser's quota is exceeded. */
  async put(entry: NewStoredModel, files: ReadonlyMap<string, Uint8Array>): Promise<StoredModelInfo> {
    await this.delete(entry.key);
    const info: StoredModelInfo = {
      ...entry,
      files: [...files.keys()],
      bytes: [...files.values()].reduce((sum, f) => sum + f.byteLength, 0),
      storedAt: Date.now(),
    };
    try {
      for (const [name, bytes] of files) {
        await this.cache.put(entryUrl(entry.key, name), new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }));
      }
      await this.cache.put(entryUrl(entry.key, INFO_FILE), new Response(JSON.stringify(info), { headers: { 'content-type': 'application/json' } }));
    } catch (error) {
      await this.delete(entry.key).catch(() => undefined);
      if (isQuotaError(error)) throw new StorageFullError(`the browser's storage quota is exceeded (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      throw error;
    }
    return info;
  }

  async delete(key: string): Promise<boolean> {
    const prefix = `${KEY_ORIGIN}${encodeURIComponent(key)}/`;
    let deleted = false;
    for (const request of await this.cache.keys()) {
      if (request.url.startsWith(prefix)) deleted = (await this.cache.delete(request)) || deleted;
    }
    return deleted;
  }
}
