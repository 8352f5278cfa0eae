// The `heta` CLI as one ES module for Node, bundled from src/cli by esbuild (already installed with tsx),
// so a call costs a plain Node start instead of compiling TypeScript through tsx every time.
// `npm install` builds it (the `prepare` script runs this file); bin/heta.mjs rebuilds it when a source
// it was built from changed, so it never runs stale code. Packages stay external: they load from
// node_modules as usual (onnxruntime-node's native binding included), and the bundle holds only our code.

import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the repository's CLI is built from and to (build/ is gitignored). */
export const CLI = {
  root: repoRoot,
  entry: join(repoRoot, 'src/cli/main.ts'),
  outFile: join(repoRoot, 'build/cli/heta.mjs'),
  // Files that shape the build without being bundled: the build recipe itself and the compiler settings.
  config: [fileURLToPath(import.meta.url), join(repoRoot, 'package.json'), join(repoRoot, 'tsconfig.json')],
};

const manifestOf = (outFile) => `${outFile}.inputs.json`;
const MTIME_SLACK_MS = 100;

/** Size and modification time: what changes when a file is edited, checked out or restored. */
function stamp(stats) {
  return `${stats.size}:${stats.mtimeMs}`;
}

/** Why the bundle at spec.outFile cannot be trusted, or null when it was built from exactly the files
 * that are there now (every input and config file has the size and mtime recorded at build time). */
export function staleReason(spec = CLI) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(manifestOf(spec.outFile), 'utf8'));
    statSync(spec.outFile);
  } catch {
    return 'not built yet';
  }
  if (recorded.entry !== relative(spec.root, spec.entry)) return 'built from another entry';
  for (const [file, was] of Object.entries(recorded.files)) {
    let now;
    try {
      now = stamp(statSync(join(spec.root, file)));
    } catch {
      return `${file} is gone`;
    }
    if (now !== was) return `${file} changed`;
  }
  return null;
}

/** Bundles spec.entry into spec.outFile and records the stamps of everything it was built from. The
 * bundle and its record are each written to a temporary file and renamed into place, so a concurrent
 * `heta` reads either the old pair or the new one, never half a file. */
export async function buildBundle(spec = CLI) {
  const { build } = await import('esbuild');
  const started = Date.now();
  const result = await build({
    entryPoints: [spec.entry],
    absWorkingDir: spec.root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: spec.outFile,
  });
  const files = {};
  for (const file of [...spec.config, ...Object.keys(result.metafile.inputs).map((f) => resolve(spec.root, f))]) {
    const s = statSync(file);
    // A file touched since the build began may have been read in its older text: record no valid stamp,
    // so the next call rebuilds. (The slack covers the file system's coarse clock.)
    files[relative(spec.root, file)] = s.mtimeMs < started - MTIME_SLACK_MS ? stamp(s) : 'changed during the build';
  }
  const bundle = result.outputFiles.find((o) => o.path === resolve(spec.outFile));
  if (!bundle) throw new Error(`esbuild wrote no ${spec.outFile}`);
  mkdirSync(dirname(spec.outFile), { recursive: true });
  writeAtomic(spec.outFile, bundle.contents);
  writeAtomic(manifestOf(spec.outFile), JSON.stringify({ entry: relative(spec.root, spec.entry), files }, null, 1));
  return spec.outFile;
}

function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** URL of an up-to-date bundle, rebuilt first when stale; null (with the reason on stderr) when it cannot
 * be built here, e.g. a read-only install: the caller then runs the sources through tsx. */
export async function freshBundle(spec = CLI) {
  if (staleReason(spec) === null) return pathToFileURL(spec.outFile).href;
  try {
    return pathToFileURL(await buildBundle(spec)).href;
  } catch (e) {
    const message = e?.errors?.[0]?.text ?? (e instanceof Error ? e.message : String(e));
    process.stderr.write(`heta: could not build the CLI bundle (${message}); running the sources through tsx\n`);
    return null;
  }
}

// `node bin/cliBundle.mjs` (the `prepare` script, run by `npm install`): build now. A failure is reported
// but does not fail the install: bin/heta.mjs then runs the sources through tsx (and says so), and the
// unit tests build the real CLI bundle, so a build that stays broken still fails CI.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const out = await buildBundle();
    console.log(`heta CLI bundle: ${relative(process.cwd(), out)}`);
  } catch (e) {
    const reason = e?.errors?.map((m) => m.text).join('; ') ?? e?.message ?? String(e);
    console.warn(`heta CLI bundle not built (${reason}); \`heta\` will run the sources through tsx until it builds`);
  }
}
