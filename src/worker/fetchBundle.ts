// A bundle served over HTTP (the demo model next to the app, or any static host), read with fetch.

import type { BundleSource } from '../engine/model/attributionModel';

export function fetchBundleSource(baseUrl: string, onBytes?: (file: string, loaded: number, total: number) => void): BundleSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    label: base,
    async read(name) {
      let response: Response;
      try {
        response = await fetch(new URL(name, new URL(base, self.location.href)));
      } catch (e) {
        throw new Error(`could not download ${name} from ${base}: ${e instanceof Error ? e.message : String(e)} (network or CORS)`);
      }
      if (!response.ok) throw new Error(`could not download ${name} from ${base}: HTTP ${response.status}${response.status === 404 ? ' (not found)' : ''}`);
      const total = Number(response.headers.get('content-length') ?? 0);
      if (!response.body) return new Uint8Array(await response.arrayBuffer());
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.byteLength;
        onBytes?.(name, loaded, total);
      }
      const out = new Uint8Array(loaded);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    },
  };
}
