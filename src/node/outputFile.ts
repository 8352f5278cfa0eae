// Result files the CLI writes (--json): checked before any long computation, written atomically.

import { rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Throws, naming the option, unless `file` can be written: its folder exists and it is not a folder itself. */
export async function checkOutputFile(file: string, option: string): Promise<void> {
  const folder = dirname(resolve(file));
  const parent = await stat(folder).catch(() => null);
  if (!parent?.isDirectory()) throw new Error(`${option} ${file}: the folder ${folder} does not exist; create it or choose another path (checked before computing, so nothing was lost)`);
  if ((await stat(file).catch(() => null))?.isDirectory()) throw new Error(`${option} ${file} is a folder; give a file name`);
}

/** Writes `text` to a temporary sibling and renames it over `file`, so an interruption never leaves half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.partial-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
