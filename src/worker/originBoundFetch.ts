// fetch limited to one origin: the hub the user chose. Hub file URLs are built from that hub's address,
// so this never fires by design; it is the last check at the fetch site should a file name or a future
// change ever build a URL elsewhere. (Redirects the hub itself answers with, e.g. to its download
// servers for large files, are the hub's.)

export class ForeignOriginError extends Error {
  override name = 'ForeignOriginError';
}

export function originBoundFetch(origin: string, doFetch: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== origin) {
      return Promise.reject(new ForeignOriginError(`refusing to download ${url.href}: it is not on ${origin}, the only host this model may be downloaded from`));
    }
    return doFetch(input, init);
  };
}
