// Reader for the safetensors format: [u64 LE header length][JSON header][data section].
// Every header field is validated before any byte of the data section is trusted, because
// checkpoints come from arbitrary uploads and a bad offset must fail loudly, not read garbage.

import { CheckpointError } from './errors';
import { decodeToF32, isSupportedDType, SUPPORTED_DTYPES } from './dtype';
import type { DType, Tensor } from './types';

/** Element sizes of every dtype the safetensors spec defines (to validate spans of tensors we cannot convert). */
const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** Headers beyond this are certainly corrupt (the reference implementation caps them at 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  name: string;
  /** The dtype string as written in the file; only F32/F16/BF16 can be converted by `getTensor`. */
  dtype: string;
  shape: number[];
  /** Byte range within the data section (which starts after the header). */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  readonly label: string;
  /** Tensor name → validated entry. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  /** The optional `__metadata__` string map. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Byte offset of the data section within the file. */
  readonly dataOffset: number;
  has(name: string): boolean;
  /** The tensor widened to float32; throws CheckpointError if absent or of an unconvertible dtype. */
  getTensor(name: string): Tensor;
}

export function parseSafetensors(bytes: Uint8Array, fileLabel: string): SafetensorsFile {
  const fail = (message: string, tensor?: string): never => {
    throw new CheckpointError(`${fileLabel}: ${message}`, { file: fileLabel, tensor });
  };

  if (bytes.byteLength < 8) {
    fail(`file is ${bytes.byteLength} bytes, shorter than the 8-byte safetensors header length (truncated or not a safetensors file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  const available = bytes.byteLength - 8;
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${headerLength} bytes is absurd (limit ${MAX_HEADER_BYTES}); the file is corrupt or not safetensors`);
  }
  if (headerLength > BigInt(available)) {
    fail(`header length ${headerLength} runs past the end of the file (${bytes.byteLength} bytes; truncated?)`);
  }
  const headerBytes = Number(headerLength);
  const dataOffset = 8 + headerBytes;
  const dataLength = bytes.byteLength - dataOffset;

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataOffset));
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('header is not a JSON object');
  }

  let metadata: Record<string, string> | null = null;
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(raw, fail);
      continue;
    }
    entries.set(name, parseEntry(name, raw, dataLength, fail));
  }
  checkNoOverlap([...entries.values()], fail);

  const getTensor = (name: string): Tensor => {
    const entry = entries.get(name);
    if (!entry) return fail(`no tensor named "${name}"`, name);
    if (!isSupportedDType(entry.dtype)) {
      return fail(`tensor "${name}" has dtype ${entry.dtype}; supported dtypes are ${SUPPORTED_DTYPES.join(', ')}`, name);
    }
    const count = product(entry.shape);
    const data = decodeToF32(bytes.subarray(dataOffset + entry.begin, dataOffset + entry.end), entry.dtype as DType, count);
    return { shape: [...entry.shape], data };
  };

  return {
    label: fileLabel,
    entries,
    metadata,
    dataOffset,
    has: (name) => entries.has(name),
    getTensor,
  };
}

type Fail = (message: string, tensor?: string) => never;

function parseMetadata(raw: unknown, fail: Fail): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') fail(`__metadata__.${key} is not a string`);
    out[key] = value as string;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataLength: number, fail: Fail): SafetensorsEntry {
  const where = `tensor "${name}"`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where}: header entry is not an object`, name);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;

  if (dtype === undefined) fail(`${where}: header entry is missing "dtype"`, name);
  if (shape === undefined) fail(`${where}: header entry is missing "shape"`, name);
  if (offsets === undefined) fail(`${where}: header entry is missing "data_offsets"`, name);

  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BYTES)) {
    fail(`${where}: unsupported dtype ${JSON.stringify(dtype)}; supported dtypes are ${SUPPORTED_DTYPES.join(', ')}`, name);
  }
  if (!Array.isArray(shape)) fail(`${where}: "shape" is not an array`, name);
  for (const dim of shape as unknown[]) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      fail(`${where}: shape ${JSON.stringify(shape)} has an entry that is not a non-negative integer`, name);
    }
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) fail(`${where}: "data_offsets" is not a [begin, end] pair`, name);
  const [begin, end] = offsets as unknown[];
  for (const offset of [begin, end]) {
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      fail(`${where}: data_offsets ${JSON.stringify(offsets)} are not non-negative integers`, name);
    }
  }
  const b = begin as number;
  const e = end as number;
  if (e < b) fail(`${where}: data_offsets [${b}, ${e}] end before they begin`, name);
  if (e > dataLength) {
    fail(`${where}: data_offsets [${b}, ${e}] lie outside the data section (${dataLength} bytes; truncated file?)`, name);
  }

  const dims = shape as number[];
  const elements = product(dims);
  const elementBytes = SAFETENSORS_DTYPE_BYTES[dtype as string]!;
  if (!Number.isSafeInteger(elements) || elements * elementBytes !== e - b) {
    fail(
      `${where}: shape [${dims.join(', ')}] of ${dtype} needs ${elements * elementBytes} bytes but data_offsets span ${e - b}`,
      name,
    );
  }
  return { name, dtype: dtype as string, shape: [...dims], begin: b, end: e };
}

function checkNoOverlap(entries: SafetensorsEntry[], fail: Fail): void {
  // Zero-byte tensors occupy nothing, so they cannot overlap anything.
  const sorted = entries.filter((entry) => entry.end > entry.begin).sort((x, y) => x.begin - y.begin);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.begin < previous.end) {
      fail(
        `tensors "${previous.name}" [${previous.begin}, ${previous.end}] and "${current.name}" [${current.begin}, ${current.end}] overlap`,
        current.name,
      );
    }
  }
}

function product(dims: readonly number[]): number {
  let n = 1;
  for (const dim of dims) n *= dim;
  return n;
}
