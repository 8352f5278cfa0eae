// A FileSource over in-memory files: test fixtures, and in the browser files already read from
// an <input type=file> / drag-and-drop before compilation.

import { CheckpointError } from './errors';
import type { FileSource } from './types';

export function memorySource(
  files: Record<string, Uint8Array> | ReadonlyMap<string, Uint8Array>,
  label = 'memory',
): FileSource {
  const map = files instanceof Map ? new Map(files) : new Map(Object.entries(files as Record<string, Uint8Array>));
  return {
    label,
    has: async (name) => map.has(name),
    read: async (name) => {
      const bytes = map.get(name);
      if (!bytes) throw new CheckpointError(`${label}: file ${name} is missing`, { file: name });
      return bytes;
    },
  };
}
