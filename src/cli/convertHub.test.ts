// `heta convert hf:org/name[@revision]` against a local stand-in hub (node:http, hub URL layout).

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MANIFEST_FILE, type BundleManifest } from '../engine/compiler/bundle';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { convertCommand } from './convert';

describe('heta convert from a hub', async () => {
  const files = makeTinyCheckpoint({ family: 'qwen2', sharded: true, seed: 5 });
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const m = /^\/acme\/tiny-qwen\/resolve\/v1\/(.+)$/.exec(req.url ?? '');
    const body = m ? files[decodeURIComponent(m[1]!)] : undefined;
    if (!body) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'heta-convert-hub-'));
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads a sharded checkpoint by id and revision and writes its bundle; HF_TOKEN goes to the hub', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('HF_TOKEN', 'secret-token');
    const out = join(dir, 'bundle');
    try {
      await convertCommand(['hf:acme/tiny-qwen@v1', out, '--hub-url', hubUrl, '--quant', 'q8']);
    } finally {
      vi.unstubAllEnvs();
      log.mockRestore();
    }
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as BundleManifest;
    expect(manifest.modelId).toBe('acme/tiny-qwen@v1');
    expect(manifest.hfArchitecture).toBe('Qwen2ForCausalLM');
    expect(Object.keys(manifest.source.files).sort()).toEqual(Object.keys(files).sort());
    const gets = seen.filter((r) => r.headers['authorization'] === 'Bearer secret-token').map((r) => r.url);
    expect(gets).toContain('/acme/tiny-qwen/resolve/v1/model-00002-of-00002.safetensors');
    expect(seen.every((r) => r.headers['authorization'] === 'Bearer secret-token')).toBe(true);
  });

  it('says what is missing for a wrong id or revision', async () => {
    await expect(convertCommand(['hf:acme/tiny-qwen', join(dir, 'x'), '--hub-url', hubUrl])).rejects.toThrow(
      /^config\.json: not found \(HTTP 404\) at http:\/\/127\.0\.0\.1:\d+\/acme\/tiny-qwen\/resolve\/main\/config\.json/,
    );
    await expect(convertCommand(['hf:not a model', join(dir, 'y')])).rejects.toThrow(/is not a model id/);
  });
});
