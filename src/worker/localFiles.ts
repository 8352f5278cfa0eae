// Files the user chose with a folder picker or dropped on the page, read in the worker: as a
// checkpoint FileSource, or as a BundleSource when the folder is a prebuilt bundle (heta.json).

import { CONFIG_FILE } from '../engine/checkpoint/checkpoint';
import { CheckpointError } from '../engine/checkpoint/errors';
import type { FileSource } from '../engine/checkpoint/types';
import { MANIFEST_FILE } from '../engine/compiler/bundle';
import type { BundleSource } from '../engine/model/attributionModel';
import type { LocalFile } from './protocol';

export type LocalFolder =
  | { kind: 'bundle'; source: BundleSource }
  | { kind: 'checkpoint'; source: FileSource };

export function openLocalFolder(files: readonly LocalFile[], label: string): LocalFolder {
  const byName = new Map(files.map((f) => [f.name, f.file]));
  const read = async (name: string): Promise<Uint8Array> => {
    const file = byName.get(name);
    if (!file) throw new CheckpointError(`${label}: ${name} is missing`, { file: name });
    return new Uint8Array(await file.arrayBuffer());
  };
  if (byName.has(MANIFEST_FILE)) return { kind: 'bundle', source: { label, read } };
  if (byName.has(CONFIG_FILE)) return { kind: 'checkpoint', source: { label, read, has: async (name) => byName.has(name) } };
  const names = [...byName.keys()].slice(0, 8).join(', ');
  throw new CheckpointError(
    `${label}: neither a checkpoint folder (config.json, tokenizer.json, safetensors weights) nor a HETA bundle (heta.json)${names ? `; it has ${names}${byName.size > 8 ? ', …' : ''}` : ' (no files)'}`,
  );
}
