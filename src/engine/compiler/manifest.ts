// heta.json, read by one parser in the CLI and the browser alike: every field the engine uses is checked
// here, file names must be plain names inside the bundle folder (a manifest never makes anyone read
// /etc/passwd or fetch from another host), and every file's size and SHA-256 are recorded so the bytes
// can be checked before they are trusted.

import { FAMILIES } from '../architectures/families';
import { isObject } from '../architectures/configFields';
import type { ModelConfig } from '../checkpoint/types';
import { MAX_CONTEXT_TOKENS } from '../limits';
import type { QuantScheme } from '../quant/quantize';
import { sha256Hex } from '../sha256';
import { GRAPH_IO, type GraphKind } from './graphs';

export const BUNDLE_FORMAT = 'heta-bundle';
/**
 * 3: per-file integrity (`files`), plain file names only, position tables capped at MAX_CONTEXT_TOKENS.
 * 4: one model file for every pass (`model`, shared initializers), weights [out, in], q4 as ONNX int4.
 */
export const BUNDLE_FORMAT_VERSION = 5;
export const MANIFEST_FILE = 'heta.json';

export class BundleError extends Error {
  override name = 'BundleError';
}

/** Size and SHA-256 (lowercase hex) of one bundle file. */
export interface BundleFileRecord {
  bytes: number;
  sha256: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  modelId: string;
  architecture: ModelConfig['architecture'];
  hfArchitecture: string;
  config: ModelConfig;
  parameters: number;
  specialTokens: { bos: number | null; eos: number | null };
  quantization: {
    requested: QuantScheme;
    q4BlockSize: number;
    /** Tensors stored under each scheme (q4 falls back to q8 where a row does not split into blocks). */
    tensors: Record<QuantScheme, number>;
  };
  opset: number;
  /** The one ONNX model; each pass is selected by its index in PASS_ORDER and named by GRAPH_IO. */
  model: { file: string; passes: Record<GraphKind, { inputs: string[]; outputs: string[] }> };
  weights: { file: string; bytes: number };
  tokenizer: { file: string; configFile: string | null };
  /** Every bundle file except heta.json itself. */
  files: Record<string, BundleFileRecord>;
  source: { fingerprint: string; files: Record<string, string> };
  createdBy: string;
}

const PLAIN_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Whether `name` is a plain file name inside the bundle folder: letters, digits, '.', '_', '-', no
 * leading dot, no '..'. That excludes '/', '\', ':' (schemes, drive letters), '%' (encoded dots and
 * slashes), '?' and '#', so a name can neither leave the folder on disk nor the bundle's URL.
 */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && PLAIN_FILE_NAME.test(name) && !name.includes('..');
}

/** What isPlainFileName allows, for the messages of everything that refuses a bundle file name. */
export const PLAIN_FILE_NAME_RULE =
  "Bundle files must be plain names such as weights.bin (letters, digits, '.', '_', '-'; no URL, scheme or host, no '/', '\\', '..' or ':'); the bundle is broken or hostile";

const ARCHITECTURES: readonly ModelConfig['architecture'][] = FAMILIES.map((f) => f.id);
const QUANT_SCHEMES: readonly QuantScheme[] = ['none', 'q8', 'q4'];

/**
 * Parses and validates heta.json: the one manifest parser of the CLI and the browser. Throws a
 * BundleError naming the field and what to do; returns a manifest whose file names are all plain
 * names listed in `files`.
 */
export function parseBundleManifest(bytes: Uint8Array, label: string): BundleManifest {
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Static servers with an app fallback answer a missing file with the HTML page instead of a 404.
    if (text.trimStart().startsWith('<')) throw new BundleError(`${label}: no bundle here (${MANIFEST_FILE} was not found; the server returned a web page)`);
    throw new BundleError(`${label}: ${MANIFEST_FILE} is not valid JSON`);
  }
  const bad = (message: string): never => {
    throw new BundleError(`${label}: ${MANIFEST_FILE} ${message}`);
  };
  if (!isObject(json)) return bad('is not a JSON object');
  if (json.format !== BUNDLE_FORMAT) throw new BundleError(`${label}: not a HETA bundle (${MANIFEST_FILE} has format ${JSON.stringify(json.format ?? null)})`);
  const version = json.formatVersion;
  if (version !== BUNDLE_FORMAT_VERSION) {
    const older = typeof version === 'number' && version < BUNDLE_FORMAT_VERSION;
    const why = !older
      ? 'is not supported'
      : version < 3
        ? 'is from an older heta (no integrity record)'
        : version < 4
          ? 'is from an older heta (one graph file per pass, each holding its own copy of the weights)'
          : 'is from an older heta (its gradient passes explain one token only, not spans or contrasts)';
    throw new BundleError(
      `${label}: bundle format version ${JSON.stringify(version ?? null)} ${why}; ` +
        `this build reads version ${BUNDLE_FORMAT_VERSION}. Recompile it: npx heta convert <checkpoint-dir> <bundle-dir> --force`,
    );
  }

  const str = (obj: Record<string, unknown>, key: string, path: string): string =>
    typeof obj[key] === 'string' ? (obj[key] as string) : bad(`field ${path} must be a string`);
  const int = (obj: Record<string, unknown>, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = obj[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : bad(`field ${path} must be an integer from ${min} to ${max}, got ${JSON.stringify(v ?? null)}`);
  };
  const obj = (parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> =>
    isObject(parent[key]) ? (parent[key] as Record<string, unknown>) : bad(`field ${path} must be an object`);
  const fileName = (value: unknown, path: string): string =>
    isPlainFileName(value) ? value : bad(`names the file ${JSON.stringify(value)} (${path}), which is not a plain file name inside the bundle folder: refusing to read or download it. ${PLAIN_FILE_NAME_RULE}`);

  str(json, 'modelId', 'modelId');
  str(json, 'hfArchitecture', 'hfArchitecture');
  const config = obj(json, 'config', 'config');
  if (!ARCHITECTURES.includes(config.architecture as ModelConfig['architecture'])) bad(`field config.architecture must be one of ${ARCHITECTURES.join(', ')}`);
  if (json.architecture !== config.architecture) bad('field architecture differs from config.architecture');
  const dims: Record<string, number> = {};
  for (const key of ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize']) dims[key] = int(config, key, `config.${key}`, 1, 1 << 24);
  int(config, 'maxPositions', 'config.maxPositions', 1, MAX_CONTEXT_TOKENS);
  if (dims.numHeads % dims.numKvHeads !== 0) bad(`config: numHeads ${dims.numHeads} is not a multiple of numKvHeads ${dims.numKvHeads}`);
  for (const key of ['bosTokenId', 'eosTokenId']) if (config[key] !== null && config[key] !== undefined) int(config, key, `config.${key}`, 0, dims.vocabSize - 1);
  int(json, 'parameters', 'parameters', 0);
  const quantization = obj(json, 'quantization', 'quantization');
  if (!QUANT_SCHEMES.includes(quantization.requested as QuantScheme)) bad(`field quantization.requested must be one of ${QUANT_SCHEMES.join(', ')}`);
  const source = obj(json, 'source', 'source');
  str(source, 'fingerprint', 'source.fingerprint');

  const records = obj(json, 'files', 'files');
  for (const [name, record] of Object.entries(records)) {
    fileName(name, 'files');
    if (name === MANIFEST_FILE) bad(`lists itself in files`);
    if (!isObject(record)) return bad(`field files[${JSON.stringify(name)}] must be an object`);
    int(record, 'bytes', `files[${JSON.stringify(name)}].bytes`, 0);
    if (typeof record.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(record.sha256)) bad(`field files[${JSON.stringify(name)}].sha256 must be 64 lowercase hex digits`);
  }
  const listed = (name: string, path: string): string => (Object.hasOwn(records, name) ? name : bad(`names ${name} (${path}) but has no size and SHA-256 for it in files`));

  const model = obj(json, 'model', 'model');
  listed(fileName(model.file, 'model.file'), 'model.file');
  if (JSON.stringify(model.passes) !== JSON.stringify(GRAPH_IO)) bad(`field model.passes must be ${JSON.stringify(GRAPH_IO)}`);
  const weights = obj(json, 'weights', 'weights');
  const weightsFile = listed(fileName(weights.file, 'weights.file'), 'weights.file');
  if (int(weights, 'bytes', 'weights.bytes', 0) !== (records[weightsFile] as unknown as BundleFileRecord).bytes) bad('field weights.bytes differs from its files entry');
  const tokenizer = obj(json, 'tokenizer', 'tokenizer');
  listed(fileName(tokenizer.file, 'tokenizer.file'), 'tokenizer.file');
  if (tokenizer.configFile !== null) listed(fileName(tokenizer.configFile, 'tokenizer.configFile'), 'tokenizer.configFile');
  return json as unknown as BundleManifest;
}

/** The size and SHA-256 of each file, as the compiler records them in `files`. */
export async function fileRecords(files: ReadonlyMap<string, Uint8Array>): Promise<Record<string, BundleFileRecord>> {
  const out: Record<string, BundleFileRecord> = {};
  for (const [name, data] of files) out[name] = { bytes: data.byteLength, sha256: await sha256Hex(data) };
  return out;
}

/** Throws a BundleError naming `name` unless its bytes have the size and SHA-256 heta.json records. */
export async function verifyBundleFile(manifest: BundleManifest, name: string, data: Uint8Array, label: string): Promise<void> {
  const record = Object.hasOwn(manifest.files, name) ? manifest.files[name] : undefined;
  if (!record) throw new BundleError(`${label}: ${name} is not listed in ${MANIFEST_FILE}'s files`);
  if (data.byteLength !== record.bytes) {
    throw new BundleError(`${label}: ${name} has ${data.byteLength} bytes, ${MANIFEST_FILE} says ${record.bytes} (truncated or replaced file?); download or convert the bundle again`);
  }
  const actual = await sha256Hex(data);
  if (actual !== record.sha256) {
    throw new BundleError(
      `${label}: ${name} does not match ${MANIFEST_FILE} (SHA-256 ${actual.slice(0, 12)}…, expected ${record.sha256.slice(0, 12)}…): the file is corrupted or was changed; download or convert the bundle again`,
    );
  }
}
