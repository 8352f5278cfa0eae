// `heta convert` never destroys what the user did not ask to replace: each refusal names the problem,
// and the folder around the output is byte-for-byte unchanged (snapshot before and after).

import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttributionModel } from '../engine/model/attributionModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { bundleDirSource, cleanLeftovers } from '../node/bundleFiles';
import { snapshotFolder } from '../testing/folderSnapshot';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { writeFilesTo } from '../testing/writeFiles';
import { convertCommand } from './convert';

/** A pid that certainly belongs to no running process: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('heta convert output safety', async () => {
  const root = await mkdtemp(join(tmpdir(), 'heta-convert-safety-'));
  afterAll(() => rm(root, { recursive: true, force: true }));
  const work = join(root, 'work');
  const ckpt = join(work, 'ckpt');
  await writeFilesTo(ckpt, makeTinyCheckpoint({ family: 'llama', seed: 3 }));
  await mkdir(join(work, 'mine'));
  await writeFile(join(work, 'mine', 'notes.txt'), 'my notes');
  await writeFile(join(work, 'afile'), 'a file');
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  /** Runs convert, expects `message`, and checks that nothing under the root changed. */
  const expectRefused = async (args: string[], message: RegExp) => {
    const before = await snapshotFolder(root);
    await expect(convertCommand(args)).rejects.toThrow(message);
    expect(await snapshotFolder(root)).toEqual(before);
  };

  it('refuses the checkpoint folder itself and any folder above it', async () => {
    await expectRefused([ckpt, ckpt], /refusing to write the bundle to .*: it is the checkpoint folder .* Choose a new folder, e\.g\. .*ckpt-bundle/);
    await expectRefused([ckpt, join(ckpt, '.')], /it is the checkpoint folder/);
    await expectRefused([ckpt, work], /it contains the checkpoint folder/);
    await expectRefused([ckpt, root], /it contains the checkpoint folder/);
    await expectRefused([ckpt, ckpt, '--force'], /it is the checkpoint folder/);
  });

  it('may write a new bundle folder inside the checkpoint folder (as models/demo/bundle) without touching the checkpoint', async () => {
    const before = await snapshotFolder(root);
    await convertCommand([ckpt, join(ckpt, 'bundle')]);
    const after = await snapshotFolder(root, ['work/ckpt/bundle']);
    expect(after).toEqual(before);
    await rm(join(ckpt, 'bundle'), { recursive: true });
  });

  it('refuses a folder of the user\'s files and a regular file unless --force', async () => {
    await expectRefused([ckpt, join(work, 'mine')], /'.*mine' exists and is not a bundle made by heta convert \(no heta\.json\); it holds notes\.txt\. Nothing was changed: .*--force/);
    await expectRefused([ckpt, join(work, 'afile')], /'.*afile' is a file, not a bundle folder\. Nothing was changed/);
    const before = await snapshotFolder(root, ['work/mine', 'work/mine/notes.txt']);
    await convertCommand([ckpt, join(work, 'mine'), '--force']);
    expect(await snapshotFolder(root, ['work/mine', 'work/mine/notes.txt', 'work/mine/'])).toMatchObject(before);
    expect(await readdir(join(work, 'mine'))).toContain('heta.json');
    expect(await readdir(join(work, 'mine'))).not.toContain('notes.txt');
  });

  it('replaces a bundle it made, leaving nothing else behind; refuses one holding other files', async () => {
    const out = join(work, 'bundle');
    await convertCommand([ckpt, out]);
    const before = await snapshotFolder(root, ['work/bundle']);
    await convertCommand([ckpt, out, '--quant', 'none']);
    const after = await snapshotFolder(root, ['work/bundle']);
    expect(Object.keys(after).filter((k) => !k.startsWith('work/bundle/'))).toEqual(Object.keys(before).filter((k) => !k.startsWith('work/bundle/')));
    expect(JSON.parse(await readFile(join(out, 'heta.json'), 'utf8')).quantization.requested).toBe('none');
    expect((await readdir(work)).filter((n) => n.startsWith('.'))).toEqual([]); // no temporary or set-aside folders
    await writeFile(join(out, 'README.txt'), 'mine');
    await expectRefused([ckpt, out], /is a bundle but also holds files heta did not write \(README\.txt\)/);
    await rm(join(out, 'README.txt'));
  });

  it('an interrupted run keeps the previous bundle and leaves no partial folder', async () => {
    const out = join(work, 'bundle');
    const before = await snapshotFolder(root);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      if (String(chunk).startsWith('load')) process.emit('SIGINT', 'SIGINT'); // Ctrl-C while compiling
      return true;
    });
    await expect(convertCommand([ckpt, out])).rejects.toThrow(/interrupted; nothing was written to/);
    write.mockRestore();
    process.exitCode = 0;
    expect(await snapshotFolder(root)).toEqual(before);
  });

  it('leftovers of a killed run are never loaded as bundles and are cleaned up by the next run', async () => {
    const out = join(work, 'fresh');
    const partial = join(work, `.fresh.heta-partial-${deadPid()}`);
    await cp(join(work, 'bundle'), partial, { recursive: true });
    const runtime = await createNodeRuntime({ threads: 1 });
    await expect(AttributionModel.load(bundleDirSource(partial), runtime)).rejects.toThrow(/unfinished folder of an interrupted heta convert, not a bundle/);
    await convertCommand([ckpt, out]);
    expect(await readdir(work)).not.toContain(partial.split('/').pop());

    // Killed between "old aside" and "new in": the next run puts the old bundle back first.
    const aside = join(work, `.restored.heta-old-${deadPid()}`);
    await cp(join(work, 'bundle'), aside, { recursive: true });
    expect(await cleanLeftovers(join(work, 'restored'))).toEqual([`restored ${join(work, 'restored')} from an interrupted run`]);
    expect(await readdir(join(work, 'restored'))).toContain('heta.json');
  });
});
