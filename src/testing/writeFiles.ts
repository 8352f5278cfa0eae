// Node-only helper: materialize fixture files (e.g. from makeTinyCheckpoint) into a folder.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeFilesTo(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    await writeFile(join(dir, name), bytes);
  }
}
