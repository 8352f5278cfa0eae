// A stand-in for the Hugging Face hub in tests: serves repositories from memory in the hub's URL layout
// `/<org>/<name>/resolve/<revision>/<file>` on a free port, with the CORS headers a cross-origin-isolated
// page needs. A file can be made to fail: `cut` sends half its announced bytes and drops the connection;
// `slow` trickles it (1 KiB every 100 ms) so a test can watch progress and cancel.
import { createServer } from 'node:http';

/**
 * repos: { 'org/name': { revision?: 'main', files: { name: Uint8Array }, cut?: ['file'], slow?: ['file'] } }
 * Returns { url, requests (count, by path), close() }.
 */
export async function startHubServer(repos) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/([^?]+)/.exec(req.url ?? '');
    const repo = m && repos[m[1]];
    const file = m && repo && decodeURIComponent(m[2]) === (repo.revision ?? 'main') ? repo.files[decodeURIComponent(m[3])] : undefined;
    if (!file) {
      res.statusCode = 404;
      res.end('Entry not found');
      return;
    }
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.byteLength));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (repo.cut?.includes(decodeURIComponent(m[3]))) {
      res.flushHeaders();
      res.write(file.subarray(0, file.byteLength >> 1), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    if (repo.slow?.includes(decodeURIComponent(m[3]))) {
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed || at >= file.byteLength) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(file.subarray(at, (at += 1024)));
      }, 100);
      return;
    }
    res.end(file);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((ok) => server.close(ok)),
  };
}
