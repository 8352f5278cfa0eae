// Reading model files from disk for the Node runtime (the CLI and tests).

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ExternalDataFile, ModelFiles } from './types';

async function readBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Reads one external data file, registered under its base name (what our compiler writes as the
 * initializers' `location`). Read it once and pass it to several `readModelFiles` calls to share
 * one weights buffer between graphs.
 */
export async function readExternalDataFile(path: string): Promise<ExternalDataFile> {
  return { path: basename(path), data: await readBytes(path) };
}

/** Reads a graph and its external data files (paths, or files already read). */
export async function readModelFiles(
  graphPath: string,
  externalData: readonly (string | ExternalDataFile)[] = [],
): Promise<ModelFiles> {
  const [graph, external] = await Promise.all([
    readBytes(graphPath),
    Promise.all(externalData.map((f) => (typeof f === 'string' ? readExternalDataFile(f) : f))),
  ]);
  return { graph, externalData: external, name: basename(graphPath) };
}
