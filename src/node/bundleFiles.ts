// Reading and writing bundle folders on disk (Node only).

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../engine/compiler/bundle';
import type { BundleSource } from '../engine/model/attributionModel';

/** Writes all files into a temporary sibling folder, then swaps it in, so a failed write leaves no half bundle. */
export async function writeBundleDir(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<number> {
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let bytes = 0;
  for (const [name, data] of files) {
    await writeFile(join(tmp, name), data);
    bytes += data.byteLength;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return bytes;
}

/** A bundle folder as the engine reads it; a missing folder or manifest gets a message saying what to do. */
export function bundleDirSource(dir: string): BundleSource {
  return {
    label: dir,
    async read(name) {
      try {
        return new Uint8Array(await readFile(join(dir, name)));
      } catch {
        const entries = await readdir(dir).catch(() => null);
        if (entries === null) throw new Error(`bundle folder '${dir}' does not exist`);
        if (name === MANIFEST_FILE) {
          throw new Error(`'${dir}' is not a bundle: no ${MANIFEST_FILE} (make one with: npx heta convert <checkpoint-dir> ${dir})`);
        }
        throw new Error(`bundle '${dir}' is incomplete: ${name} is missing`);
      }
    },
  };
}
