// The CLI bundle's freshness rule (bin/cliBundle.mjs), on a throw-away project: a bundle is used only
// while every file it was built from is unchanged, and rebuilt otherwise.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildBundle, CLI, freshBundle, staleReason, type BundleSpec } from '../../bin/cliBundle.mjs';

let root = '';
afterEach(() => {
  vi.restoreAllMocks();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** entry.ts imports answer.ts; settings.json stands for a config file (tsconfig, package.json). */
function project(): BundleSpec {
  root = mkdtempSync(join(tmpdir(), 'heta-cli-bundle-'));
  writeFileSync(join(root, 'answer.ts'), 'export const answer: number = 41;\n');
  writeFileSync(join(root, 'entry.ts'), "import { answer } from './answer';\nexport const value = answer + 1;\n");
  writeFileSync(join(root, 'settings.json'), '{}\n');
  // Sources written a moment ago count as "changed during the build"; date them back as a checkout would.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['answer.ts', 'entry.ts', 'settings.json']) utimesSync(join(root, f), past, past);
  return { root, entry: join(root, 'entry.ts'), outFile: join(root, 'out/cli.mjs'), config: [join(root, 'settings.json')] };
}

const load = async (url: string) => ((await import(`${url}?t=${Date.now()}`)) as { value: number }).value;

describe('CLI bundle', () => {
  it('is fresh after a build and stale when a bundled source or a config file changes', async () => {
    const spec = project();
    expect(staleReason(spec)).toBe('not built yet');
    await buildBundle(spec);
    expect(staleReason(spec)).toBeNull();

    writeFileSync(join(root, 'answer.ts'), 'export const answer: number = 99;\n');
    expect(staleReason(spec)).toBe('answer.ts changed');
    const url = await freshBundle(spec);
    expect(url).not.toBeNull();
    expect(await load(url!)).toBe(100); // rebuilt from the new text, not the stale bundle
    // Just written, so possibly read mid-edit: the next call rebuilds once more rather than trust it.
    expect(staleReason(spec)).toBe('answer.ts changed');

    const past = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'answer.ts'), past, past);
    await buildBundle(spec);
    expect(staleReason(spec)).toBeNull();
    writeFileSync(join(root, 'settings.json'), '{"changed": true}\n');
    expect(staleReason(spec)).toBe('settings.json changed');
  });

  it('is stale when a source is gone or restored with an older date', async () => {
    const spec = project();
    await buildBundle(spec);
    const older = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'answer.ts'), older, older);
    expect(staleReason(spec)).toBe('answer.ts changed');
    rmSync(join(root, 'answer.ts'));
    expect(staleReason(spec)).toBe('answer.ts is gone');
  });

  it('returns null with the reason on stderr when the sources do not build, so the caller runs them through tsx', async () => {
    const spec = project();
    writeFileSync(join(root, 'entry.ts'), "import { missing } from './nowhere';\nexport const value = missing;\n");
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await freshBundle(spec)).toBeNull();
    expect(String(stderr.mock.calls[0][0])).toMatch(/could not build the CLI bundle \(Could not resolve "\.\/nowhere"\); running the sources through tsx/);
    expect(staleReason(spec)).toBe('not built yet');
  });

  it('builds the real CLI with every package left external', async () => {
    const spec = project();
    await buildBundle({ ...CLI, outFile: spec.outFile });
    const text = readFileSync(spec.outFile, 'utf8');
    expect(text).toMatch(/from "onnxruntime-node"/);
    expect(text).not.toMatch(/onnxruntime-web/);
    const inputs = Object.keys((JSON.parse(readFileSync(`${spec.outFile}.inputs.json`, 'utf8')) as { files: Record<string, string> }).files);
    expect(inputs).toContain('src/cli/main.ts');
    expect(inputs.some((f) => f.includes('node_modules'))).toBe(false);
  });
});
