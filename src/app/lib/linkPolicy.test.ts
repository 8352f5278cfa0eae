import { describe, expect, it } from 'vitest';
import { hubStoreKey } from '../../worker/modelSpec';
import { decideLinkLoad, sameDownload, type LinkPolicyContext } from './linkPolicy';

const ctx: LinkPolicyContext = { pageUrl: 'https://lens.example/app/#model=x', hubUrl: 'https://huggingface.co', quant: 'q8', storedKeys: new Set() };

describe('decideLinkLoad', () => {
  it("loads the app's own origin without asking, whatever the path", () => {
    for (const spec of ['/models/demo/bundle/', 'models/other/', 'https://lens.example/elsewhere/bundle/', '//lens.example/b/']) {
      expect(decideLinkLoad(spec, ctx), spec).toEqual({ action: 'load' });
    }
  });

  it('asks before a bundle on another origin, naming the host and the absolute folder', () => {
    expect(decideLinkLoad('https://tracker.example/b/', ctx)).toEqual({
      action: 'ask',
      request: { kind: 'bundle', spec: 'https://tracker.example/b/', url: 'https://tracker.example/b/', origin: 'https://tracker.example', host: 'tracker.example' },
    });
    // Another port or scheme of the same host is another origin too.
    for (const spec of ['https://lens.example:8443/b/', 'http://lens.example/b/', '//cdn.example/x/']) {
      const d = decideLinkLoad(spec, ctx);
      expect(d.action, spec).toBe('ask');
    }
    const d = decideLinkLoad('//cdn.example/x/', ctx);
    expect(d.action === 'ask' && d.request.host).toBe('cdn.example');
  });

  it('refuses addresses that are not http(s)', () => {
    for (const spec of ['javascript:alert(1)', 'data:text/plain,x', 'file:///etc/', 'blob:https://lens.example/1']) {
      const d = decideLinkLoad(spec, ctx);
      expect(d.action, spec).toBe('refuse');
      expect(d.action === 'refuse' && d.message).toMatch(/not an http\(s\) address/);
    }
  });

  it('asks before a hub model that is not stored, and says which model, revision, hub and quantization', () => {
    expect(decideLinkLoad('hf:org/name@v2', ctx)).toEqual({
      action: 'ask',
      request: { kind: 'hub', spec: 'hf:org/name@v2', url: 'https://huggingface.co', origin: 'https://huggingface.co', host: 'huggingface.co', repo: 'org/name', revision: 'v2', quant: 'q8' },
    });
    const local = decideLinkLoad('hf:org/name', { ...ctx, hubUrl: 'http://127.0.0.1:9999/mirror' });
    expect(local.action === 'ask' && [local.request.host, local.request.url]).toEqual(['127.0.0.1:9999', 'http://127.0.0.1:9999/mirror']);
  });

  it('loads a hub model stored in this browser (same hub, id, revision and quantization) without asking', () => {
    const ref = { hubUrl: 'https://huggingface.co', repo: 'org/name', revision: 'main' };
    const stored = new Set([hubStoreKey(ref, 'q8')]);
    expect(decideLinkLoad('hf:org/name', { ...ctx, storedKeys: stored })).toEqual({ action: 'load' });
    // Stored with another quantization, revision or hub: that is another download.
    expect(decideLinkLoad('hf:org/name', { ...ctx, quant: 'q4', storedKeys: stored }).action).toBe('ask');
    expect(decideLinkLoad('hf:org/name@v2', { ...ctx, storedKeys: stored }).action).toBe('ask');
    expect(decideLinkLoad('hf:org/name', { ...ctx, hubUrl: 'https://mirror.example', storedKeys: stored }).action).toBe('ask');
  });

  it("loads a hub on the app's own origin without asking", () => {
    expect(decideLinkLoad('hf:org/name', { ...ctx, hubUrl: 'https://lens.example/hub' })).toEqual({ action: 'load' });
  });

  it('refuses an invalid hub id with the reason, and loads local: folders (storage only, never the network)', () => {
    const d = decideLinkLoad('hf:../../etc', ctx);
    expect(d.action === 'refuse' && d.message).toMatch(/is not valid: .*not a model id/);
    expect(decideLinkLoad('local:my-model', ctx)).toEqual({ action: 'load' });
  });
});

describe('sameDownload', () => {
  it('compares address, place and quantization', () => {
    const a = decideLinkLoad('hf:org/name', ctx);
    const b = decideLinkLoad('hf:org/name', { ...ctx, quant: 'q4' });
    const c = decideLinkLoad('hf:org/name', { ...ctx, hubUrl: 'https://mirror.example' });
    if (a.action !== 'ask' || b.action !== 'ask' || c.action !== 'ask') throw new Error('expected prompts');
    expect(sameDownload(a.request, a.request)).toBe(true);
    expect(sameDownload(a.request, b.request)).toBe(false);
    expect(sameDownload(a.request, c.request)).toBe(false);
  });
});
