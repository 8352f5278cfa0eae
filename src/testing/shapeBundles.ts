// Node only: random checkpoints of real shapes (realShapes.ts) and their bundles, made once and kept in
// .cache/shapes/ (hundreds of MB each; regenerated when the bundle format changes).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from '../engine/checkpoint/checkpoint';
import { BUNDLE_FORMAT_VERSION, compileBundle, MANIFEST_FILE } from '../engine/compiler/bundle';
import type { QuantScheme } from '../engine/quant/quantize';
import { directorySource } from '../node/fileSource';
import { writeBundleDir } from '../node/bundleFiles';
import { REAL_SHAPES, type RealShape } from './realShapes';
import { makeTinyCheckpoint } from './tinyCheckpoint';
import { writeFilesTo } from './writeFiles';

export const SHAPES_DIR = '.cache/shapes';

/** The folder of a bundle of `shape` at `quant`, compiled from its random checkpoint (both made if missing). */
export async function shapeBundle(shape: RealShape, quant: QuantScheme, root = SHAPES_DIR, log: (line: string) => void = () => {}): Promise<string> {
  const checkpoint = join(root, shape);
  if (!existsSync(join(checkpoint, 'config.json'))) {
    log(`making a random ${shape} checkpoint in ${checkpoint}`);
    await writeFilesTo(checkpoint, makeTinyCheckpoint({ ...REAL_SHAPES[shape].options, seed: 7 }));
  }
  const dir = join(root, `${shape}-${quant}`);
  const manifest = join(dir, MANIFEST_FILE);
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).formatVersion === BUNDLE_FORMAT_VERSION) return dir;
  log(`converting ${shape} (${quant}) into ${dir}`);
  const ckpt = await openCheckpoint(directorySource(checkpoint));
  const { files } = await compileBundle(ckpt, { quant, modelId: `${shape}-${quant}` });
  ckpt.release();
  await writeBundleDir(dir, files, { force: true });
  return dir;
}
