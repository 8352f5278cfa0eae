// FileSource over a local checkpoint folder (CLI and Node tests). Node-only: the engine never imports this.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../engine/checkpoint/errors';
import type { FileSource } from '../engine/checkpoint/types';

export function directorySource(dir: string): FileSource {
  const root = resolve(dir);
  // Names come from checkpoint files (e.g. a shard index), so refuse anything that could leave the folder.
  const pathOf = (name: string): string => {
    if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || name.includes('\0')) {
      throw new CheckpointError(`${root}: refusing to read ${JSON.stringify(name)}: not a plain file name`, { file: name });
    }
    return join(root, name);
  };
  return {
    label: root,
    async has(name) {
      try {
        return (await stat(pathOf(name))).isFile();
      } catch (error) {
        if (error instanceof CheckpointError) throw error;
        return false;
      }
    },
    async read(name) {
      try {
        const buffer = await readFile(pathOf(name));
        // Hand out a plain Uint8Array view (no Buffer API leaks into the engine).
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if (error instanceof CheckpointError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'is missing' : `could not be read (${(error as Error).message})`;
        throw new CheckpointError(`${root}: ${name} ${reason}`, { file: name }, { cause: error });
      }
    },
  };
}
