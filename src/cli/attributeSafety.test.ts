// `heta attribute` checks everything before it computes: options within the engine's bounds (negative
// numbers parsed, not misread), the --json path, the mask token; its hints never suggest an output that
// would overwrite the checkpoint; and nothing outside --json's file is written.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { snapshotFolder } from '../testing/folderSnapshot';
import { makeTinyCheckpoint } from '../testing/tinyCheckpoint';
import { writeFilesTo } from '../testing/writeFiles';
import { attributeCommand } from './attribute';
import { convertCommand } from './convert';
import { withNegativeValues } from './options';

describe('heta attribute refuses bad input before computing', async () => {
  const root = await mkdtemp(join(tmpdir(), 'heta-attribute-safety-'));
  afterAll(() => rm(root, { recursive: true, force: true }));
  const ckpt = join(root, 'ckpt');
  const bundle = join(root, 'bundle');
  await writeFilesTo(ckpt, makeTinyCheckpoint({ family: 'llama', seed: 3 }));
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
  await convertCommand([ckpt, bundle]);
  quiet.mockRestore();
  let errors: string[] = [];
  beforeEach(() => {
    errors = [];
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation((s) => void errors.push(String(s)));
    return () => vi.restoreAllMocks();
  });
  const base = ['--model', bundle, '--prompt', 'Hello world, the quick brown fox'];
  const expectRefused = async (args: string[], message: RegExp) => {
    const before = await snapshotFolder(root);
    await expect(attributeCommand(args)).rejects.toThrow(message);
    expect(await snapshotFolder(root)).toEqual(before);
  };

  it('on a checkpoint folder, suggests converting into a new sibling folder, never into the checkpoint', async () => {
    const before = await snapshotFolder(root);
    const error = await attributeCommand(['--model', ckpt, '--prompt', 'hi']).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/is a checkpoint folder, not a bundle; compile it first into a new folder: npx heta convert .*ckpt .*ckpt-bundle/);
    expect((error as Error).message).not.toMatch(new RegExp(`convert ${ckpt} ${ckpt}( |$)`));
    expect(await snapshotFolder(root)).toEqual(before);
  });

  it('bounds and parses counts (negative numbers included) and says what is wrong', async () => {
    await expectRefused([...base, '--m', '-1'], /--m must be an integer from 1 to 256 \(Rademacher probes per token\), got -1/);
    await expectRefused([...base, '--m', '1000000'], /--m must be an integer from 1 to 256 .*got 1000000/);
    await expectRefused([...base, '--threads', 'abc'], /--threads must be an integer, got 'abc'/);
    await expectRefused([...base, '--generate', '1000'], /--generate must be an integer from 1 to 64/);
    await expectRefused([...base, '--target-pos', '-3'], /--target-pos must be an integer from 1 to/);
    await expectRefused([...base, '--seed', '1.5'], /--seed must be an integer, got '1\.5'/);
    await expectRefused([...base, '--adaptive', '--se-target', '2'], /--se-target must be a number from 0 to 1 \(adaptive standard-error target, a fraction of the largest S\), got 2/);
    await expectRefused([...base, '--adaptive', '--min-probes', '1'], /--min-probes must be an integer from 2 to 256/);
    await expectRefused([...base, '--se-target', '0.1'], /--se-target and --min-probes set adaptive probing: add --adaptive/);
    await expectRefused([...base, '--difference', 'backward'], /--difference must be central or forward \(first-order, half the passes\), got 'backward'/);
    await expectRefused([...base, '--mask', 'token:99999'], /--mask token:99999 is not in .*'s vocabulary \(ids 0 … 319\)/);
  });

  it('refuses conflicting or unknown target options and multi-token foils', async () => {
    await expectRefused([...base, '--target-pos', '2', '--continuation', ' x'], /give one of --target, --target-pos and --continuation, not --target-pos and --continuation/);
    await expectRefused([...base, '--continuation', ' x', '--foil', ' y'], /--foil contrasts one token with another: it does not combine with --continuation/);
    await expectRefused([...base, '--generate', '2', '--foil', ' y'], /--generate explains each generated token/);
    await expectRefused([...base, '--granularity', 'chapter'], /--granularity must be one of token, word, sentence, line, paragraph, got 'chapter'/);
    await expectRefused([...base, '--foil', ' jumps over the lazy dog'], /--foil " jumps over the lazy dog" is not a single token .*for several tokens use --continuation/);
  });

  it('--continuation with --granularity word: the span is explained, the JSON carries the word view, sums equal token sums', async () => {
    const out = join(root, 'span.json');
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s) => void printed.push(String(s)));
    await attributeCommand([...base, '--continuation', ' jumps over', '--m', '2', '--granularity', 'word', '--json', out]);
    const r = JSON.parse(await readFile(out, 'utf8'));
    await rm(out);
    expect(r.version).toBe(3);
    expect(r.target).toMatchObject({ kind: 'span', span: { text: ' jumps over', continuation: ' jumps over' } });
    expect(r.granularity.level).toBe('word');
    expect(r.granularity.segments.map((s: { text: string }) => s.text.trim())).toEqual([r.tokens[0].text, 'Hello', 'world,', 'the', 'quick', 'brown', 'fox']);
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    expect(sum(r.granularity.segments.map((s: { score: number }) => s.score))).toBeCloseTo(sum(r.scores), 9);
    expect(printed.join('\n')).toMatch(/target typed continuation " jumps over" \(tokens \d+ … \d+, teacher-forced\): log p = -?[\d.]+/);
    expect(printed.join('\n')).toMatch(/share +rank +word/);
  });

  it('checks the --json path before computing', async () => {
    const started = performance.now();
    await expectRefused([...base, '--json', join(root, 'missing', 'x.json')], /--json .*x\.json: the folder .*missing does not exist; create it or choose another path \(checked before computing/);
    await expectRefused([...base, '--json', root], /is a folder; give a file name/);
    expect(errors.join('\n')).not.toMatch(/estimated cost/); // refused before any pass ran
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('prints the estimated cost first and writes only the --json file', async () => {
    const out = join(root, 'result.json');
    const before = await snapshotFolder(root);
    await attributeCommand([...base, '--m', '2', '--json', out]);
    expect(errors.join('\n')).toMatch(/estimated cost: 1 inspect \+ \d+ masked \+ \d+ gradient passes, about [\d.]+ (s|min)/);
    const after = await snapshotFolder(root, ['result.json']);
    expect(after).toEqual(before);
    expect(JSON.parse(await readFile(out, 'utf8')).schema).toBe('heta-attribution');
    expect((await readdir(root)).filter((n) => n.includes('partial'))).toEqual([]);
    // a second run may replace its own result, but never a file heta did not write
    await attributeCommand([...base, '--m', '1', '--json', out]);
    const notes = join(root, 'notes.json');
    await writeFile(notes, '{"mine": true}');
    await expectRefused([...base, '--json', notes], /--json .*notes\.json exists and is not a result written by heta: it is left as it is/);
    expect(await readFile(notes, 'utf8')).toBe('{"mine": true}');
  });

  it('--adaptive with forward differences: the summary says first-order and passes used against fixed m, the JSON records them', async () => {
    const out = join(root, 'adaptive.json');
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s) => void printed.push(String(s)));
    await attributeCommand([...base, '--m', '6', '--adaptive', '--se-target', '0.1', '--min-probes', '2', '--difference', 'forward', '--json', out]);
    const r = JSON.parse(await readFile(out, 'utf8'));
    await rm(out);
    const s = r.sensitivity;
    expect(s).toMatchObject({ probing: 'adaptive', difference: 'forward', order: 'first-order' });
    expect(s.fixedGradientPasses).toBe(1 + 6 * r.target.position);
    expect(s.gradientPasses).toBe(1 + s.probesPerToken.reduce((a: number, b: number) => a + b, 0));
    expect(errors.join('\n')).toMatch(/gradient passes, about .* \(at most: adaptive probing stops tokens early\)/);
    expect(printed.join('\n')).toContain(
      `S: adaptive, forward differences (first-order), stop when SE_i ≤ 0.1 · max_j S_j after ≥ 2 probes, at most m = 6; ` +
        `probes per token ${Math.min(...s.probesPerToken)} … ${Math.max(...s.probesPerToken)}`,
    );
    expect(printed.join('\n')).toMatch(new RegExp(`${s.gradientPasses} gradient passes vs ${s.fixedGradientPasses} for fixed m \\(${s.passesSaved} saved, [\\d.]+× fewer\\)`));
  });
});

describe('withNegativeValues', () => {
  const options = { m: { type: 'string' }, force: { type: 'boolean' } } as const;
  it('joins a negative number to its string option, and nothing else', () => {
    expect(withNegativeValues(['--m', '-1', 'x'], options)).toEqual(['--m=-1', 'x']);
    expect(withNegativeValues(['--m', '-0.5'], options)).toEqual(['--m=-0.5']);
    expect(withNegativeValues(['--force', '-1'], options)).toEqual(['--force', '-1']);
    expect(withNegativeValues(['--m', '--force'], options)).toEqual(['--m', '--force']);
  });
});
