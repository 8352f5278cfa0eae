// `heta convert` end to end on disk: a tiny checkpoint folder in, a loadable bundle folder out.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MANIFEST_FILE, type BundleManifest } from '../engine/compiler/bundle';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { writeFilesTo } from '../testing/writeFiles';
import { convertCommand } from './convert';

describe('heta convert', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heta-convert-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const checkpoint = join(dir, 'tiny-gpt2');
  await writeFilesTo(checkpoint, makeTinyCheckpoint({ family: 'gpt2' }));

  it.each(['none', 'q8', 'q4'])('writes a complete bundle with --quant %s and prints a summary', async (quant) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(dir, `bundle-${quant}`);
    await convertCommand([checkpoint, out, '--quant', quant]);
    const summary = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    expect(summary).toMatch(/parameters\s+[\d,]+/);
    expect(summary).toMatch(/bundle\s+[\d.]+ KiB/);
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as BundleManifest;
    expect(manifest.quantization.requested).toBe(quant);
    expect(manifest.architecture).toBe('gpt2');
    const files = await readdir(out);
    expect(files).toContain(manifest.model.file);
    expect(files).toEqual(expect.arrayContaining(['weights.bin', 'tokenizer.json']));
    expect((await readFile(join(out, 'weights.bin'))).byteLength).toBe(manifest.weights.bytes);
  });

  it('rejects an unknown quantization and a missing checkpoint clearly', async () => {
    await expect(convertCommand([checkpoint, join(dir, 'x'), '--quant', 'q3'])).rejects.toThrow(/--quant must be one of none, q8, q4/);
    await expect(convertCommand([join(dir, 'nope'), join(dir, 'y')])).rejects.toThrow(/missing config\.json/);
  });
});
