// Node-only test helper: a folder's tree as path → size, mtime and SHA-256, to assert that a command
// changed nothing outside its output.

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function snapshotFolder(dir: string, skip: readonly string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (skip.includes(path)) continue;
      const info = await lstat(join(dir, path));
      if (info.isDirectory()) {
        out[`${path}/`] = 'dir';
        await walk(path);
      } else {
        const hash = createHash('sha256').update(await readFile(join(dir, path))).digest('hex');
        out[path] = `${info.size} ${info.mtimeMs} ${hash}`;
      }
    }
  };
  await walk('');
  return out;
}
