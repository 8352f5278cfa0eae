import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { CheckpointError } from '../engine/checkpoint/errors';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { writeFilesTo } from '../testing/writeFiles';
import { directorySource } from './fileSource';

describe('directorySource', () => {
  let dir: string;
  const files = makeTinyCheckpoint({ family: 'qwen2', sharded: true });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heta-ckpt-'));
    await writeFilesTo(dir, files);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads files as plain Uint8Arrays', async () => {
    const source = directorySource(dir);
    expect(source.label).toBe(dir);
    expect(await source.has('config.json')).toBe(true);
    expect(await source.has('absent.json')).toBe(false);
    const bytes = await source.read('config.json');
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes).toEqual(files['config.json']);
  });

  it('opens a checkpoint from disk', async () => {
    const ckpt = await openCheckpoint(directorySource(dir));
    expect(ckpt.config.architecture).toBe('qwen2');
    await ckpt.getTensor('model.norm.weight', [32]);
  });

  it('names missing files and refuses paths outside the folder', async () => {
    const source = directorySource(dir);
    await expect(source.read('missing.bin')).rejects.toThrow(/missing\.bin is missing/);
    await expect(source.read('../etc/passwd')).rejects.toBeInstanceOf(CheckpointError);
    await expect(source.has('a/b')).rejects.toThrow(/not a plain file name/);
    await expect(openCheckpoint(directorySource(join(dir, 'nope')))).rejects.toThrow(/missing config\.json, tokenizer\.json/);
  });
});

describe('bundleDirSource', () => {
  it('reads only plain names inside the bundle folder', async () => {
    const { bundleDirSource } = await import('./bundleFiles');
    const source = bundleDirSource('/tmp');
    await expect(source.read('../../../../etc/passwd')).rejects.toThrow(/refusing to read "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd": not a plain file name inside the bundle folder/);
    await expect(source.read('/etc/passwd')).rejects.toThrow(/not a plain file name/);
  });
});
