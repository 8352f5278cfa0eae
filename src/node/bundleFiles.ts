// Reading and writing bundle folders on disk (Node only).

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, type BundleManifest } from '../engine/compiler/bundle';

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

export interface BundleOnDisk {
  dir: string;
  manifest: BundleManifest;
  read(name: string): Promise<Uint8Array>;
}

export async function openBundleDir(dir: string): Promise<BundleOnDisk> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    const entries = await readdir(dir).catch(() => null);
    throw new Error(
      entries === null
        ? `bundle folder '${dir}' does not exist`
        : `'${dir}' is not a bundle: no ${MANIFEST_FILE} (convert a checkpoint with: npx heta convert <checkpoint-dir> <bundle-dir>)`,
    );
  }
  const manifest = JSON.parse(text) as BundleManifest;
  return { dir, manifest, read: async (name) => new Uint8Array(await readFile(join(dir, name))) };
}
