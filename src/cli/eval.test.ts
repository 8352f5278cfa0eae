// `heta eval` end to end on disk: a tiny bundle, a curated-format file, the JSON written per item,
// --resume, and an interruption that keeps the finished items.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { writeFilesTo } from '../testing/writeFiles';
import { convertCommand } from './convert';
import { evalCommand, type EvalFile } from './eval';

describe('heta eval', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heta-eval-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await writeFilesTo(join(dir, 'ckpt'), makeTinyCheckpoint({ family: 'llama', gqa: true, seed: 2, maxPositions: 128 }));
  const bundle = join(dir, 'bundle');
  await convertCommand([join(dir, 'ckpt'), bundle]);
  log.mockRestore();
  const examples = ['leaves', 'roots', 'stems', 'seeds'].map((answer, k) => ({
    id: `ex${k}`,
    input_text: `The storm passed. <s> Plants store water in ${answer}. <s> Question: where is water stored?`,
    narrative_segment: 'The storm passed.',
    sciq_support_segment: `Plants store water in ${answer}.`,
    target_first_answer_token: answer,
    important_words: [answer, 'water'],
  }));
  const dataset = join(dir, 'curated.json');
  await writeFile(dataset, JSON.stringify({ examples }));
  const out = join(dir, 'out.json');
  const base = ['--model', bundle, '--dataset', dataset, '--methods', 'heta,occlusion,rollout', '--m', '1', '--draws', '1', '--json', out];

  const run = async (args: string[]) => {
    const logs: string[] = [];
    const errs: string[] = [];
    const l = vi.spyOn(console, 'log').mockImplementation((s) => void logs.push(String(s)));
    const e = vi.spyOn(console, 'error').mockImplementation((s) => void errs.push(String(s)));
    try {
      await evalCommand(args);
    } finally {
      l.mockRestore();
      e.mockRestore();
    }
    return { logs: logs.join('\n'), errs: errs.join('\n') };
  };

  it('writes per-item results and prints the method × metric table', async () => {
    const { logs } = await run([...base, '--limit', '2']);
    const file = JSON.parse(await readFile(out, 'utf8')) as EvalFile;
    expect(file.schema).toBe('heta-eval');
    expect(file.complete).toBe(true);
    expect(file.items.map((i) => i.id)).toEqual(['ex0', 'ex1']);
    expect(file.methods).toEqual(['heta', 'occlusion', 'rollout']);
    expect(file.summary.methods.map((m) => m.id)).toEqual(['heta', 'occlusion', 'rollout']);
    expect(Object.keys(file.items[0].methods.heta.metrics)).toEqual(['softNC', 'softNS', 'aopcDeletion', 'aopcInsertion', 'dsa', 'f1']);
    expect(logs).toMatch(/Soft-NC ↑.*DSA ↑.*F1@k ↑/);
    expect(logs).toMatch(/Attention rollout/);
    expect(logs).toMatch(/HETA − method, paired per item/);
    expect(logs).toMatch(/wall time/);
  });

  it('refuses to overwrite without --resume/--overwrite; --resume only runs the missing items', async () => {
    await expect(run([...base, '--limit', '3'])).rejects.toThrow(/exists; pass --resume/);
    const { errs } = await run([...base, '--limit', '3', '--resume']);
    expect(errs).toMatch(/2 of 3 items already done/);
    expect(errs).toMatch(/\[3\/3\] ex2/);
    expect(errs).not.toMatch(/\[1\/3\] ex0:/);
    const file = JSON.parse(await readFile(out, 'utf8')) as EvalFile;
    expect(file.items.map((i) => i.id)).toEqual(['ex0', 'ex1', 'ex2']);
    await expect(run([...base, '--limit', '3', '--resume', '--m', '2'])).rejects.toThrow(/cannot resume .*parameters differ/);
    await expect(run([...base.slice(0, 4), '--methods', 'heta,sha', '--json', out])).rejects.toThrow(/unknown method 'sha'/);
  });

  it('--resume with a smaller --limit keeps every finished item', async () => {
    // The file holds ex0 … ex2 (complete) from the test above.
    const before = JSON.parse(await readFile(out, 'utf8')) as EvalFile;
    expect(before.items.map((i) => i.id)).toEqual(['ex0', 'ex1', 'ex2']);
    const { errs } = await run([...base, '--limit', '1', '--resume']);
    expect(errs).toMatch(/1 of 1 items already done; keeping 2 finished item\(s\) beyond --limit 1/);
    const file = JSON.parse(await readFile(out, 'utf8')) as EvalFile;
    expect(file.items.map((i) => i.id)).toEqual(['ex0', 'ex1', 'ex2']);
    expect(file.items).toEqual(before.items);
    expect(file.complete).toBe(true);
  });

  it('names a corrupt resume file and leaves it as it is; refuses bad counts before loading', async () => {
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"schema": "heta-eval", "items": [');
    await expect(run([...base.slice(0, -1), corrupt, '--resume'])).rejects.toThrow(/cannot resume .*corrupt\.json: it is not valid JSON .*it was left as it is/);
    expect(await readFile(corrupt, 'utf8')).toBe('{"schema": "heta-eval", "items": [');
    await writeFile(corrupt, '{"hello": 1}');
    await expect(run([...base.slice(0, -1), corrupt, '--resume'])).rejects.toThrow(/cannot resume .*corrupt\.json: it is not a heta eval file/);
    await expect(run([...base, '--m', '-1'])).rejects.toThrow(/--m must be an integer from 1 to 256/);
    await expect(run([...base, '--limit', '0'])).rejects.toThrow(/--limit must be an integer from 1 to/);
    await expect(run([...base.slice(0, -1), join(dir, 'no', 'x.json')])).rejects.toThrow(/the folder .*no does not exist/);
  });

  it('an interruption keeps the finished items and marks the file incomplete', async () => {
    const out2 = join(dir, 'interrupted.json');
    const args = [...base.slice(0, -1), out2];
    const errs: string[] = [];
    const l = vi.spyOn(console, 'log').mockImplementation(() => {});
    const e = vi.spyOn(console, 'error').mockImplementation((s) => {
      errs.push(String(s));
      if (/\[1\/4\] ex0:/.test(String(s))) process.emit('SIGINT', 'SIGINT'); // Ctrl-C after the first item
    });
    try {
      await evalCommand(args);
    } finally {
      l.mockRestore();
      e.mockRestore();
    }
    expect(process.exitCode).toBe(130);
    process.exitCode = 0;
    const file = JSON.parse(await readFile(out2, 'utf8')) as EvalFile;
    expect(file.complete).toBe(false);
    expect(file.items.map((i) => i.id)).toEqual(['ex0']);
    expect(errs.join('\n')).toMatch(/interrupted after 1 of 4 items; continue with the same command and --resume/);
  });
});
