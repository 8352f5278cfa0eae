// Reading and writing bundle folders on disk (Node only). Writing never loses what the user owns: the
// bundle is written into a fresh hidden sibling folder and swapped in with renames (old aside, new in,
// old deleted); an existing folder is replaced only when it is a bundle this tool made (or with
// --force); the source checkpoint folder and its ancestors are never targets. Leftovers of an
// interrupted run are cleaned up (or an old bundle put back) by the next run.

import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isPlainFileName, MANIFEST_FILE } from '../engine/compiler/manifest';
import type { BundleSource } from '../engine/model/attributionModel';

const PARTIAL_TAG = '.heta-partial-';
const OLD_TAG = '.heta-old-';
/** Hidden sibling names of an output folder: `.<name>.heta-partial-<pid>` and `.<name>.heta-old-<pid>`. */
const sibling = (out: string, tag: string, pid = process.pid) => join(dirname(out), `.${basename(out)}${tag}${pid}`);
const LEFTOVER = /^\..+\.heta-(partial|old)-(\d+)$/;

export class OutputRefusedError extends Error {
  override name = 'OutputRefusedError';
}

export interface WriteBundleOptions {
  /** Replace an existing folder (or file) that is not a bundle made by heta. */
  force?: boolean;
  /** The checkpoint folder being converted: the output may be neither it nor one of its ancestors. */
  source?: string;
  /** Checked before the swap: an abort leaves the old output untouched and removes the partial folder. */
  signal?: AbortSignal;
}

/** Real path of `p`, resolving symbolic links in the part of it that exists. */
async function realPathOf(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(await realPathOf(parent), basename(abs));
  }
}

const isWithin = (inner: string, outer: string) => {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Leftovers of interrupted runs for `out` whose process is gone: a partial folder is deleted; an old
 * bundle set aside is put back when `out` is missing (the run died between the two renames), else deleted.
 */
export async function cleanLeftovers(out: string): Promise<string[]> {
  const dir = dirname(out);
  const prefix = `.${basename(out)}.heta-`;
  const notes: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = LEFTOVER.exec(name);
    if (!name.startsWith(prefix) || !m || `.${basename(out)}.heta-${m[1]}-${m[2]}` !== name || alive(Number(m[2]))) continue;
    const path = join(dir, name);
    const outExists = await stat(out).then(() => true, () => false);
    if (m[1] === 'old' && !outExists) {
      await rename(path, out);
      notes.push(`restored ${out} from an interrupted run`);
    } else {
      await rm(path, { recursive: true, force: true });
      notes.push(`removed ${name}, left by an interrupted run`);
    }
  }
  return notes;
}

/** Names a bundle folder may hold: heta.json and what it names (graphs, weights, tokenizer, `files`). */
function bundleEntries(manifest: Record<string, unknown>): Set<string> {
  const names = new Set<string>([MANIFEST_FILE]);
  const add = (v: unknown) => {
    if (typeof v === 'string') names.add(v);
  };
  const graphs = manifest.graphs;
  if (graphs && typeof graphs === 'object') for (const g of Object.values(graphs)) add((g as { file?: unknown })?.file);
  add((manifest.weights as { file?: unknown } | undefined)?.file);
  add((manifest.tokenizer as { file?: unknown } | undefined)?.file);
  add((manifest.tokenizer as { configFile?: unknown } | undefined)?.configFile);
  if (manifest.files && typeof manifest.files === 'object') Object.keys(manifest.files).forEach(add);
  return names;
}

/** Why `out` may not be replaced, or null when it is absent, an empty folder or a bundle heta made (nothing else in it). */
async function replaceProblem(out: string): Promise<string | null> {
  const info = await stat(out).catch(() => null);
  if (!info) return null;
  if (!info.isDirectory()) return `'${out}' is a file, not a bundle folder`;
  const entries = await readdir(out);
  if (entries.length === 0) return null;
  let manifest: unknown = null;
  if (entries.includes(MANIFEST_FILE)) {
    try {
      manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8'));
    } catch {
      // unreadable or not JSON: not a bundle heta made
    }
  }
  const isBundle = manifest !== null && typeof manifest === 'object' && (manifest as { format?: unknown }).format === 'heta-bundle';
  if (!isBundle) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    return `'${out}' exists and is not a bundle made by heta convert (no ${MANIFEST_FILE}); it holds ${shown}`;
  }
  const known = bundleEntries(manifest as Record<string, unknown>);
  const extra = entries.filter((e) => !known.has(e));
  if (extra.length > 0) return `'${out}' is a bundle but also holds files heta did not write (${extra.slice(0, 5).join(', ')}), which replacing it would delete`;
  return null;
}

/**
 * Refuses an output that would destroy what the user did not ask to replace: the source folder or a
 * folder above it (always), or an existing file/folder that is not a heta bundle (unless `force`).
 */
export async function checkBundleOutput(out: string, options: Pick<WriteBundleOptions, 'force' | 'source'> = {}): Promise<void> {
  const target = await realPathOf(out);
  if (options.source !== undefined) {
    const source = await realPathOf(options.source);
    if (isWithin(source, target)) {
      throw new OutputRefusedError(
        `refusing to write the bundle to '${out}': it ${target === source ? 'is' : 'contains'} the checkpoint folder '${options.source}', which would be deleted. ` +
          `Choose a new folder, e.g. ${join(dirname(source), `${basename(source)}-bundle`)}`,
      );
    }
  }
  if (LEFTOVER.test(basename(target))) throw new OutputRefusedError(`refusing to write to '${out}': that name is reserved for heta's temporary folders`);
  const problem = await replaceProblem(out);
  if (problem && !options.force) throw new OutputRefusedError(`${problem}. Nothing was changed: choose another folder, or pass --force to replace it`);
}

/**
 * Writes all files into a fresh hidden sibling folder, then swaps it in (old aside, new in, old
 * deleted), so no interruption leaves a half bundle or loses the previous one. Returns the bytes written.
 */
export async function writeBundleDir(out: string, files: ReadonlyMap<string, Uint8Array>, options: WriteBundleOptions = {}): Promise<number> {
  const dir = resolve(out);
  await cleanLeftovers(dir);
  await checkBundleOutput(dir, options);
  await mkdir(dirname(dir), { recursive: true }); // only once the output is accepted: a refusal creates nothing
  const tmp = sibling(dir, PARTIAL_TAG);
  const aside = sibling(dir, OLD_TAG);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  let bytes = 0;
  try {
    // heta.json last: a partial folder never holds a manifest unless every file is in place.
    const order = [...files.keys()].sort((a, b) => Number(a === MANIFEST_FILE) - Number(b === MANIFEST_FILE));
    for (const name of order) {
      options.signal?.throwIfAborted();
      if (!isPlainFileName(name)) throw new Error(`bundle file name ${JSON.stringify(name)} is not a plain file name`);
      const data = files.get(name)!;
      await writeFile(join(tmp, name), data);
      bytes += data.byteLength;
    }
    options.signal?.throwIfAborted();
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  // The swap: from here on nothing checks the signal, so it always completes.
  const hadOld = await stat(dir).then(() => true, () => false);
  try {
    if (hadOld) await rename(dir, aside);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`could not move the previous bundle ${dir} aside to replace it (${e instanceof Error ? e.message : String(e)}); it is unchanged`);
  }
  try {
    await rename(tmp, dir);
  } catch (e) {
    if (hadOld) await rename(aside, dir);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (hadOld) await rm(aside, { recursive: true, force: true });
  return bytes;
}

/** What to tell a user who gave `dir` as a bundle folder when it is none. */
async function notABundleMessage(dir: string): Promise<string> {
  if (LEFTOVER.test(basename(resolve(dir)))) return `'${dir}' is an unfinished folder of an interrupted heta convert, not a bundle; run the conversion again`;
  const isCheckpoint = await stat(join(dir, 'config.json')).then((s) => s.isFile(), () => false);
  if (isCheckpoint) {
    const suggestion = `${resolve(dir)}-bundle`;
    return `'${dir}' is a checkpoint folder, not a bundle; compile it first into a new folder: npx heta convert ${dir} ${suggestion} (then use --model ${suggestion})`;
  }
  return `'${dir}' is not a bundle: no ${MANIFEST_FILE} (make one with: npx heta convert <checkpoint-dir> <new-bundle-dir>)`;
}

/** A bundle folder as the engine reads it; a missing folder or manifest gets a message saying what to do. */
export function bundleDirSource(dir: string): BundleSource {
  return {
    label: dir,
    async read(name) {
      if (name === MANIFEST_FILE && LEFTOVER.test(basename(resolve(dir)))) throw new Error(await notABundleMessage(dir));
      // heta.json names files; the manifest parser allows only plain names, and this is the last line of defence.
      if (!isPlainFileName(name)) throw new Error(`${dir}: refusing to read ${JSON.stringify(name)}: not a plain file name inside the bundle folder`);
      try {
        return new Uint8Array(await readFile(join(dir, name)));
      } catch {
        const entries = await readdir(dir).catch(() => null);
        if (entries === null) throw new Error(`bundle folder '${dir}' does not exist`);
        if (name === MANIFEST_FILE) throw new Error(await notABundleMessage(dir));
        throw new Error(`bundle '${dir}' is incomplete: ${name} is missing`);
      }
    },
  };
}
