// A checkpoint FileSource over a hub repository: existence and sizes from HEAD requests, bodies streamed
// into one buffer of the announced size (no chunk list plus a concatenated copy), per-file and total
// progress, cancellation through an AbortSignal, and every failure mapped to a HubError.

import type { FileSource } from '../checkpoint/types';
import { httpError, interruptedError, isAbort, networkError } from './hubErrors';
import { hubFileUrl, type HubRef } from './hubRef';

export interface FileProgress {
  name: string;
  loaded: number;
  /** Bytes announced by the server, or null when it did not say. */
  total: number | null;
}

export interface DownloadProgress {
  files: FileProgress[];
  loaded: number;
  /** Sum of the known sizes of every file expected so far. */
  total: number;
}

export interface HubSourceOptions {
  /** Defaults to the global fetch (browser or Node 20). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Extra request headers (the CLI's Authorization for gated models). */
  headers?: Record<string, string>;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface HubFileSource extends FileSource {
  readonly ref: HubRef;
  /** Size of a file from its HEAD answer (null: unknown); throws when the file does not exist. */
  size(name: string): Promise<number | null>;
  /** Announces files that will be read, so the total counts them before their download starts. */
  expect(names: readonly string[]): Promise<void>;
}

// Small JSON files are read twice (download plan, then the checkpoint reader): keep them.
const KEEP_BELOW_BYTES = 1 << 20;

export function hubFileSource(ref: HubRef, options: HubSourceOptions = {}): HubFileSource {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const heads = new Map<string, Promise<{ exists: boolean; size: number | null }>>();
  const kept = new Map<string, Uint8Array>();
  const progress = new Map<string, FileProgress>();
  const label = `${ref.hubUrl}/${ref.repo}@${ref.revision}`;

  const report = () => {
    if (!options.onProgress) return;
    const files = [...progress.values()].map((f) => ({ ...f }));
    options.onProgress({
      files,
      loaded: files.reduce((sum, f) => sum + f.loaded, 0),
      total: files.reduce((sum, f) => sum + (f.total ?? f.loaded), 0),
    });
  };

  async function request(name: string, method: 'HEAD' | 'GET'): Promise<Response> {
    const url = hubFileUrl(ref, name);
    try {
      // mode 'cors': the app page is cross-origin isolated, so a hub on another origin must opt in with CORS headers.
      return await doFetch(url, { method, mode: 'cors', credentials: 'omit', headers: options.headers, signal: options.signal });
    } catch (error) {
      if (isAbort(error, options.signal)) throw error;
      throw networkError(url, name, error);
    }
  }

  function head(name: string) {
    let pending = heads.get(name);
    if (!pending) {
      pending = (async () => {
        const response = await request(name, 'HEAD');
        if (response.status === 404) return { exists: false, size: null };
        if (!response.ok) throw httpError(response.status, response.url || hubFileUrl(ref, name), name);
        return { exists: true, size: announcedSize(response) };
      })();
      heads.set(name, pending);
      pending.catch(() => heads.delete(name));
    }
    return pending;
  }

  async function sizeOf(name: string): Promise<number | null> {
    const { exists, size } = await head(name);
    if (!exists) throw httpError(404, hubFileUrl(ref, name), name);
    return size;
  }

  async function download(name: string): Promise<Uint8Array> {
    const response = await request(name, 'GET');
    const url = response.url || hubFileUrl(ref, name);
    if (!response.ok) throw httpError(response.status, url, name);
    const expected = announcedSize(response);
    const entry: FileProgress = { name, loaded: 0, total: expected };
    progress.set(name, entry);
    report();
    if (!response.body) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      entry.loaded = bytes.byteLength;
      report();
      return bytes;
    }
    const reader = response.body.getReader();
    let buffer = new Uint8Array(expected ?? 1 << 16);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (entry.loaded + value.byteLength > buffer.byteLength) {
          if (expected !== null) throw new Error(`${name}: the server sent more than the ${expected} bytes it announced`);
          const grown = new Uint8Array(Math.max(buffer.byteLength * 2, entry.loaded + value.byteLength));
          grown.set(buffer.subarray(0, entry.loaded));
          buffer = grown;
        }
        buffer.set(value, entry.loaded);
        entry.loaded += value.byteLength;
        report();
      }
    } catch (error) {
      if (isAbort(error, options.signal)) throw error;
      throw interruptedError(url, name, entry.loaded, expected, error);
    }
    if (expected !== null && entry.loaded !== expected) throw interruptedError(url, name, entry.loaded, expected);
    return expected === null ? buffer.slice(0, entry.loaded) : buffer;
  }

  return {
    ref,
    label,
    async has(name) {
      if (kept.has(name)) return true;
      return (await head(name)).exists;
    },
    size: sizeOf,
    async expect(names) {
      const planned = new Map<string, FileProgress>();
      for (const name of names) planned.set(name, progress.get(name) ?? { name, loaded: 0, total: await sizeOf(name) });
      // Listed in the order given (the download plan's), then anything read outside it.
      for (const [name, entry] of progress) if (!planned.has(name)) planned.set(name, entry);
      progress.clear();
      for (const [name, entry] of planned) progress.set(name, entry);
      report();
    },
    async read(name) {
      const known = kept.get(name);
      if (known) return known;
      const bytes = await download(name);
      if (bytes.byteLength < KEEP_BELOW_BYTES) kept.set(name, bytes);
      return bytes;
    },
  };
}

/** Content-Length when it is the size of the file (not of a compressed transfer). */
function announcedSize(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return null;
  // X-Linked-Size: the hub's header for the size of a large (LFS) file, when the length itself is missing.
  const raw = response.headers.get('content-length') ?? response.headers.get('x-linked-size');
  const size = raw === null ? NaN : Number(raw);
  return Number.isSafeInteger(size) && size >= 0 ? size : null;
}
