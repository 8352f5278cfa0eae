import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExternalDataFile, readModelFiles } from './nodeFiles';
import { createNodeRuntime } from './nodeRuntime';
import { ModelLoadError, type ExternalDataFile, type Runtime } from './types';

// A tiny model built by hand (test-only): E [5,4] and W [4,3] live in an external file shared by
// two graphs.
//   main: emb = Gather(E, ids:int64[n]); logits = MatMul(x + emb, W) + b + Cast(shift:int32[n])[:,None]
//         outputs y = Softmax(logits), best:int64 = ArgMax(logits), best32:int32 = Cast(best)
//   proj: z = MatMul(x, W)
const F = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
const I32 = onnx.TensorProto.DataType.INT32;
const WEIGHTS = 'weights.bin';

const E = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i) * 0.5);
const W = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i * 0.7));
const B = new Float32Array([0.1, -0.2, 0.3]);
// External layout: E at 0 (80 bytes), W at 128 (48 bytes).
function weightsBytes(): Uint8Array {
  const out = new Uint8Array(176);
  out.set(new Uint8Array(E.buffer), 0);
  out.set(new Uint8Array(W.buffer), 128);
  return out;
}

function external(name: string, dims: number[], offset: number, length: number): onnx.ITensorProto {
  return {
    name,
    dataType: F,
    dims,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: WEIGHTS },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}

function io(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
    },
  };
}

function model(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 18 }], graph }).finish();
}

const mainGraph = (): Uint8Array =>
  model({
    name: 'main',
    initializer: [
      external('E', [5, 4], 0, 80),
      external('W', [4, 3], 128, 48),
      { name: 'b', dataType: F, dims: [3], rawData: new Uint8Array(B.buffer.slice(0)) },
      { name: 'axes', dataType: I64, dims: [1], int64Data: [1] },
    ],
    node: [
      { opType: 'Gather', input: ['E', 'ids'], output: ['emb'] },
      { opType: 'Add', input: ['x', 'emb'], output: ['h'] },
      { opType: 'MatMul', input: ['h', 'W'], output: ['hw'] },
      { opType: 'Add', input: ['hw', 'b'], output: ['hb'] },
      { opType: 'Cast', input: ['shift'], output: ['shiftf'], attribute: [{ name: 'to', type: 2, i: F }] },
      { opType: 'Unsqueeze', input: ['shiftf', 'axes'], output: ['shift2'] },
      { opType: 'Add', input: ['hb', 'shift2'], output: ['logits'] },
      { opType: 'Softmax', input: ['logits'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: -1 }] },
      {
        opType: 'ArgMax',
        input: ['logits'],
        output: ['best'],
        attribute: [
          { name: 'axis', type: 2, i: 1 },
          { name: 'keepdims', type: 2, i: 0 },
        ],
      },
      { opType: 'Cast', input: ['best'], output: ['best32'], attribute: [{ name: 'to', type: 2, i: I32 }] },
    ],
    input: [io('x', F, ['n', 4]), io('ids', I64, ['n']), io('shift', I32, ['n'])],
    output: [io('y', F, ['n', 3]), io('best', I64, ['n']), io('best32', I32, ['n'])],
  });

const projGraph = (): Uint8Array =>
  model({
    name: 'proj',
    initializer: [external('W', [4, 3], 128, 48)],
    node: [{ opType: 'MatMul', input: ['x', 'W'], output: ['z'] }],
    input: [io('x', F, ['n', 4])],
    output: [io('z', F, ['n', 3])],
  });

// Reference in plain JS.
function reference(x: Float32Array, ids: number[], shift: number[]) {
  const n = ids.length;
  const y: number[] = [];
  const best: number[] = [];
  const z: number[] = [];
  for (let r = 0; r < n; r++) {
    const logits = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let p = 0;
      for (let k = 0; k < 4; k++) {
        s += (x[r * 4 + k]! + E[ids[r]! * 4 + k]!) * W[k * 3 + c]!;
        p += x[r * 4 + k]! * W[k * 3 + c]!;
      }
      logits[c] = s + B[c]! + shift[r]!;
      z.push(p);
    }
    const m = Math.max(...logits);
    const ex = logits.map((l) => Math.exp(l - m));
    const sum = ex.reduce((a, v) => a + v, 0);
    y.push(...ex.map((v) => v / sum));
    best.push(logits.indexOf(m));
  }
  return { y, best, z };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(tol);
}

describe('createNodeRuntime', () => {
  let runtime: Runtime;
  let weights: ExternalDataFile;
  beforeAll(async () => {
    runtime = await createNodeRuntime({ threads: 1 });
    weights = { path: WEIGHTS, data: weightsBytes() };
  });

  it('reports the cpu backend', () => {
    expect(runtime.backend).toBe('cpu');
    expect(runtime.detail).toMatch(/CPU, 1 thread/);
  });

  it('runs float32/int64/int32 tensors, with two sessions sharing one external weights buffer', async () => {
    const main = await runtime.createSession({ graph: mainGraph(), externalData: [weights], name: 'main.onnx' });
    const proj = await runtime.createSession({ graph: projGraph(), externalData: [weights], name: 'proj.onnx' });
    expect(main.backend).toBe('cpu');
    expect(main.inputNames).toEqual(['x', 'ids', 'shift']);
    expect(main.outputNames).toEqual(['y', 'best', 'best32']);

    const x = Float32Array.from({ length: 8 }, (_, i) => (i - 3) * 0.25);
    const ids = [3, 1];
    const shift = [0, -2];
    const ref = reference(x, ids, shift);
    const out = await main.run({
      x: { type: 'float32', dims: [2, 4], data: x },
      ids: { type: 'int64', dims: [2], data: BigInt64Array.from(ids.map(BigInt)) },
      shift: { type: 'int32', dims: [2], data: Int32Array.from(shift) },
    });
    expect(out.y!.type).toBe('float32');
    expect(out.y!.dims).toEqual([2, 3]);
    expectClose(out.y!.data as Float32Array, ref.y);
    expect(out.best!.type).toBe('int64');
    expect([...(out.best!.data as BigInt64Array)]).toEqual(ref.best.map(BigInt));
    expect(out.best32!.type).toBe('int32');
    expect([...(out.best32!.data as Int32Array)]).toEqual(ref.best);

    const z = await proj.run({ x: { type: 'float32', dims: [2, 4], data: x } });
    expectClose(z.z!.data as Float32Array, ref.z);

    // Selecting outputs.
    const only = await main.run(
      {
        x: { type: 'float32', dims: [2, 4], data: x },
        ids: { type: 'int64', dims: [2], data: BigInt64Array.from(ids.map(BigInt)) },
        shift: { type: 'int32', dims: [2], data: Int32Array.from(shift) },
      },
      ['best32'],
    );
    expect(Object.keys(only)).toEqual(['best32']);

    await main.release();
    await main.release();
    await expect(main.run({})).rejects.toThrow(/released/);
    await proj.release();
  });

  it('rejects bad feeds with clear messages', async () => {
    const proj = await runtime.createSession({ graph: projGraph(), externalData: [weights] });
    await expect(proj.run({})).rejects.toThrow(/missing input: x/);
    await expect(
      proj.run({ x: { type: 'float32', dims: [2, 4], data: new Float32Array(7) } }),
    ).rejects.toThrow(/need 8 elements/);
    await expect(
      proj.run({ x: { type: 'int32', dims: [2, 4], data: new Float32Array(8) as unknown as Int32Array } }),
    ).rejects.toThrow(/needs a Int32Array/);
    await expect(proj.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } }, ['nope'])).rejects.toThrow(
      /unknown output 'nope'/,
    );
    await proj.release();
  });

  it('fails clearly on a corrupt graph and on missing external data', async () => {
    const corrupt = runtime.createSession({ graph: new Uint8Array([8, 1, 0xff, 0xff, 0x13, 7]), name: 'corrupt.onnx' });
    await expect(corrupt).rejects.toBeInstanceOf(ModelLoadError);
    await expect(corrupt).rejects.toThrow(/failed to load model 'corrupt.onnx' on cpu: .*protobuf parsing failed/);
    await expect(runtime.createSession({ graph: projGraph(), name: 'proj.onnx' })).rejects.toThrow(
      /failed to load model 'proj.onnx' on cpu: .*weights\.bin.*\[external data files given: none\]/,
    );
  });
});

describe('readModelFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heta-runtime-'));
    await writeFile(join(dir, 'proj.onnx'), projGraph());
    await writeFile(join(dir, WEIGHTS), weightsBytes());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a graph with its weights from disk, sharing an already-read weights file', async () => {
    const runtime = await createNodeRuntime();
    const shared = await readExternalDataFile(join(dir, WEIGHTS));
    const fromPath = await readModelFiles(join(dir, 'proj.onnx'), [join(dir, WEIGHTS)]);
    const fromShared = await readModelFiles(join(dir, 'proj.onnx'), [shared]);
    expect(fromPath.name).toBe('proj.onnx');
    expect(fromShared.externalData![0]).toBe(shared);
    const x = new Float32Array([1, 0, 0, 0]);
    for (const files of [fromPath, fromShared]) {
      const s = await runtime.createSession(files);
      const { z } = await s.run({ x: { type: 'float32', dims: [1, 4], data: x } });
      expectClose(z!.data as Float32Array, [W[0]!, W[1]!, W[2]!]);
      await s.release();
    }
  });
});
