// Which files of a checkpoint repository to download, before any weights are fetched, so progress has
// a total from the start: config, tokenizer files, and either model.safetensors or the index and every
// shard it names.

import {
  CONFIG_FILE,
  shardFilesOf,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
} from '../checkpoint/checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import type { FileSource } from '../checkpoint/types';

export interface DownloadPlan {
  files: string[];
  /** The weights come as shards listed in model.safetensors.index.json. */
  sharded: boolean;
}

export async function planCheckpointDownload(source: FileSource): Promise<DownloadPlan> {
  // config.json first: a wrong id or revision is reported as that file missing, not as some later one.
  await source.read(CONFIG_FILE);
  const files = [CONFIG_FILE, TOKENIZER_FILE];
  if (!(await source.has(TOKENIZER_FILE))) {
    throw new CheckpointError(`${source.label}: has no ${TOKENIZER_FILE} (only fast tokenizers in tokenizer.json are supported)`, { file: TOKENIZER_FILE });
  }
  if (await source.has(TOKENIZER_CONFIG_FILE)) files.push(TOKENIZER_CONFIG_FILE);
  if (await source.has(WEIGHTS_FILE)) return { files: [...files, WEIGHTS_FILE], sharded: false };
  if (!(await source.has(WEIGHTS_INDEX_FILE))) {
    throw new CheckpointError(
      `${source.label}: has neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE} (only safetensors weights are supported)`,
      { file: WEIGHTS_FILE },
    );
  }
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder().decode(await source.read(WEIGHTS_INDEX_FILE)));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new CheckpointError(`${source.label}: ${WEIGHTS_INDEX_FILE} is not valid JSON`, { file: WEIGHTS_INDEX_FILE });
  }
  return { files: [...files, WEIGHTS_INDEX_FILE, ...shardFilesOf(index, source.label)], sharded: true };
}
