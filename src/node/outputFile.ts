// Result files the CLI writes (--json): checked before any long computation, written atomically.

import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Throws, naming the option, unless `file` can be written: its folder exists, it is not a folder, and
 * if it exists it is a result this tool wrote (a JSON object whose `schema` starts with "heta-"), so a
 * mistyped path never replaces one of the user's own files (`existingChecked`: the caller has its own
 * rule for an existing file, as eval's --resume/--overwrite).
 */
export async function checkOutputFile(file: string, option: string, options: { existingChecked?: boolean } = {}): Promise<void> {
  const folder = dirname(resolve(file));
  const parent = await stat(folder).catch(() => null);
  if (!parent?.isDirectory()) throw new Error(`${option} ${file}: the folder ${folder} does not exist; create it or choose another path (checked before computing, so nothing was lost)`);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`${option} ${file} is a folder; give a file name`);
  if (existing && !options.existingChecked && !isHetaResult(await readFile(file, 'utf8').catch(() => ''))) {
    throw new Error(`${option} ${file} exists and is not a result written by heta: it is left as it is; remove it yourself or choose another path (checked before computing, so nothing was lost)`);
  }
}

function isHetaResult(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && typeof (value as { schema?: unknown }).schema === 'string' && (value as { schema: string }).schema.startsWith('heta-');
  } catch {
    return false;
  }
}

/** Writes `text` to a temporary sibling and renames it over `file`, so an interruption never leaves half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.partial-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
