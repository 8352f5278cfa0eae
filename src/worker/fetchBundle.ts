// A bundle served over HTTP (the demo model next to the app, or any static host), read with fetch.
// heta.json is read with the engine's one manifest parser, which already refuses file names that are
// not plain names and names not listed in `files`. This file checks again at the fetch site (defence in
// depth): only plain names listed in the parsed manifest's `files` are requested, and the resolved URL
// must still lie in the bundle's folder. Redirects are refused too: they could lead to another host.
// A download stops as soon as it exceeds the size `files[name].bytes` announces.

import { isPlainFileName, MANIFEST_FILE, parseBundleManifest, PLAIN_FILE_NAME_RULE, type BundleManifest } from '../engine/compiler/manifest';
import type { DownloadProgress, FileProgress } from '../engine/hub/hubSource';
import type { BundleSource } from '../engine/model/attributionModel';

/** heta.json is a few KiB; no legitimate manifest comes near this. */
export const MAX_MANIFEST_BYTES = 1 << 20;

export class BundleFetchError extends Error {
  override name = 'BundleFetchError';
}

/**
 * The URL of bundle file `name` in the folder `folder` (absolute, ending in '/'). Throws when `name` is
 * not a plain file name or its URL would leave the folder.
 */
export function bundleFileUrl(folder: URL, name: string): URL {
  if (!isPlainFileName(name)) {
    throw new BundleFetchError(
      `${MANIFEST_FILE} names the file ${JSON.stringify(name)}, which is not a plain file name inside the bundle folder ${folder.href}: refusing to download it. ${PLAIN_FILE_NAME_RULE}`,
    );
  }
  const url = new URL(name, folder);
  if (url.origin !== folder.origin || !url.pathname.startsWith(folder.pathname) || url.pathname.slice(folder.pathname.length).includes('/')) {
    throw new BundleFetchError(`${MANIFEST_FILE} names the file ${JSON.stringify(name)}, whose address ${url.href} is outside the bundle folder ${folder.href}: refusing to download it.`);
  }
  return url;
}

/** How many bytes a download may have: exactly the size the manifest announces, or at most a bound. */
export interface SizeLimit {
  bytes: number;
  exact: boolean;
  /** Why, for the message: "heta.json announces 1024 bytes for it". */
  reason: string;
}

/**
 * The body of `response`, never more than `limit.bytes`: a Content-Length above the
 * limit fails before reading, a body that grows past it fails at that chunk (the rest is not read), and
 * an exact limit must be met. `onBytes` gets the bytes read so far and the expected total.
 */
export async function readCapped(response: Response, name: string, limit: SizeLimit, onBytes?: (loaded: number, total: number | null) => void): Promise<Uint8Array> {
  const length = response.headers.get('content-length');
  const announced = length === null || length.trim() === '' ? null : Number(length);
  const tooLarge = (size: string) => new BundleFetchError(`${name}: the server sends ${size} bytes, but ${limit.reason}: download stopped (a wrong or tampered file)`);
  if (announced !== null && announced > limit.bytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(String(announced));
  }
  const total = limit.exact ? limit.bytes : announced !== null && Number.isSafeInteger(announced) ? announced : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const add = (chunk: Uint8Array) => {
    loaded += chunk.byteLength;
    if (loaded > limit.bytes) throw tooLarge(`more than ${limit.bytes}`);
    chunks.push(chunk);
    onBytes?.(loaded, total);
  };
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        add(value);
      } catch (e) {
        await reader.cancel().catch(() => undefined);
        throw e;
      }
    }
  } else {
    add(new Uint8Array(await response.arrayBuffer()));
  }
  if (limit.exact && loaded !== limit.bytes) {
    throw new BundleFetchError(`${name}: received ${loaded} bytes, but ${limit.reason} (an interrupted download or a different file)`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads bundle files from `baseUrl` (absolute, or relative to this script's address). `onProgress`
 * lists every file announced by the manifest (with its size) once heta.json is read, then each
 * file's bytes as they arrive.
 */
export function fetchBundleSource(baseUrl: string, onProgress?: (progress: DownloadProgress) => void): BundleSource {
  const folder = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, self.location.href);
  if (folder.protocol !== 'https:' && folder.protocol !== 'http:') throw new BundleFetchError(`${baseUrl} is not an http(s) address: bundles load only over http(s)`);
  let manifest: BundleManifest | null = null;
  // heta.json is read by the memory plan and again by the loader: fetched once, its bytes kept.
  let manifestBytes: Uint8Array | null = null;
  const progress = new Map<string, FileProgress>();
  const report = () => {
    if (!onProgress) return;
    const files = [...progress.values()].map((f) => ({ ...f }));
    onProgress({ files, loaded: files.reduce((sum, f) => sum + f.loaded, 0), total: files.reduce((sum, f) => sum + (f.total ?? f.loaded), 0) });
  };
  /** The download bound for `name`: heta.json's own cap, or exactly the size heta.json records for a file it lists. */
  const sizeLimit = (name: string): SizeLimit => {
    if (name === MANIFEST_FILE) return { bytes: MAX_MANIFEST_BYTES, exact: false, reason: `a bundle's ${MANIFEST_FILE} is never larger than ${MAX_MANIFEST_BYTES} bytes` };
    if (!manifest) throw new BundleFetchError(`${folder.href}: ${name} was asked for before ${MANIFEST_FILE}: refusing to download it (its size is not known yet)`);
    if (!Object.hasOwn(manifest.files, name)) {
      throw new BundleFetchError(`${folder.href}: ${MANIFEST_FILE} does not list ${JSON.stringify(name)} in its files: refusing to download it (only files with a recorded size and SHA-256 are fetched)`);
    }
    const { bytes } = manifest.files[name]!;
    return { bytes, exact: true, reason: `${MANIFEST_FILE} announces ${bytes} bytes for it` };
  };
  return {
    label: folder.href,
    async read(name) {
      if (name === MANIFEST_FILE && manifestBytes) return manifestBytes;
      const url = bundleFileUrl(folder, name);
      const limit = sizeLimit(name);
      let response: Response;
      try {
        // redirect 'error': a redirect could send the request to another host than the bundle's.
        response = await fetch(url, { redirect: 'error' });
      } catch (e) {
        throw new Error(`could not download ${name} from ${folder.href}: ${e instanceof Error ? e.message : String(e)} (network, CORS, or a redirect: bundle files are never fetched through redirects)`);
      }
      if (!response.ok) throw new Error(`could not download ${name} from ${folder.href}: HTTP ${response.status}${response.status === 404 ? ' (not found)' : ''}`);
      const entry: FileProgress = progress.get(name) ?? { name, loaded: 0, total: limit.exact ? limit.bytes : null };
      progress.set(name, entry);
      const bytes = await readCapped(response, name, limit, (loaded, total) => {
        entry.loaded = loaded;
        entry.total = total;
        report();
      });
      entry.total ??= bytes.byteLength; // done: its size is known now even when the server did not say
      if (name === MANIFEST_FILE) {
        manifest = parseBundleManifest(bytes, folder.href);
        manifestBytes = bytes;
        for (const [file, record] of Object.entries(manifest.files)) if (!progress.has(file)) progress.set(file, { name: file, loaded: 0, total: record.bytes });
      }
      report();
      return bytes;
    },
  };
}
