// Serializes IR graphs to ONNX (opset 18, IR version 8). Large constants go to one shared external
// data file so that several graphs of a bundle reference the same weight bytes.

import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { ONNX_DTYPE, topologicalOrder, type Attr, type ConstData, type Value } from '../ir/graph';

export const OPSET = 18;
const IR_VERSION = 8;
/** Constants up to this many bytes are stored inline in the graph file. */
const INLINE_LIMIT = 1024;
const ALIGN = 64;
// onnx-proto is CommonJS: take the namespace from its default export so Node ESM and bundlers agree.
const { onnx } = onnxProto;

function bytesOf(data: ConstData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The external data file shared by all graphs of a bundle; each constant is stored once. */
export class WeightFile {
  private readonly chunks: Uint8Array[] = [];
  private readonly placed = new Map<number, { offset: number; length: number }>();
  private size = 0;

  constructor(readonly fileName: string) {}

  place(value: Value): { offset: number; length: number } {
    const known = this.placed.get(value.id);
    if (known) return known;
    const bytes = bytesOf(value.data!);
    const pad = (ALIGN - (this.size % ALIGN)) % ALIGN;
    if (pad) this.chunks.push(new Uint8Array(pad));
    const entry = { offset: this.size + pad, length: bytes.byteLength };
    this.chunks.push(bytes);
    this.size = entry.offset + entry.length;
    this.placed.set(value.id, entry);
    return entry;
  }

  get byteLength(): number {
    return this.size;
  }

  /** Concatenated bytes; call once all graphs are written. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

export interface GraphSpec {
  name: string;
  /** Graph inputs in the order they are declared. */
  inputs: readonly Value[];
  /** Named outputs; each becomes an Identity so any value can be exported under any name. */
  outputs: readonly { name: string; value: Value }[];
}

function valueInfo(name: string, v: Value): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[v.dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, a: Attr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function initializer(v: Value, weights: WeightFile): OnnxTypes.ITensorProto {
  const base: OnnxTypes.ITensorProto = { name: v.name, dataType: ONNX_DTYPE[v.dtype], dims: v.shape as number[] };
  const bytes = bytesOf(v.data!);
  if (bytes.byteLength <= INLINE_LIMIT) return { ...base, rawData: bytes.slice() };
  const { offset, length } = weights.place(v);
  return {
    ...base,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: weights.fileName },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}

/** The deterministic tensor name of a value inside a graph file. */
function tensorName(v: Value): string {
  return v.name ?? `${v.op.toLowerCase()}_${v.id}`;
}

export function writeOnnx(spec: GraphSpec, weights: WeightFile): Uint8Array {
  const order = topologicalOrder(spec.outputs.map((o) => o.value));
  const declared = new Set(spec.inputs.map((i) => i.id));
  const nodes: OnnxTypes.INodeProto[] = [];
  const initializers: OnnxTypes.ITensorProto[] = [];
  for (const v of order) {
    if (v.op === 'Input') {
      if (!declared.has(v.id)) throw new Error(`graph '${spec.name}' uses undeclared input '${v.name}'`);
      continue;
    }
    if (v.op === 'Constant') {
      initializers.push(initializer(v, weights));
      continue;
    }
    nodes.push({
      opType: v.op,
      name: `n${v.id}`,
      input: v.inputs.map(tensorName),
      output: [tensorName(v)],
      attribute: Object.entries(v.attrs).map(([k, a]) => attribute(k, a)),
    });
  }
  for (const o of spec.outputs) {
    nodes.push({ opType: 'Identity', name: `out_${o.name}`, input: [tensorName(o.value)], output: [o.name] });
  }
  const model: OnnxTypes.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'heta-lens',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: spec.name,
      node: nodes,
      initializer: initializers,
      input: spec.inputs.map((i) => valueInfo(i.name!, i)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.value)),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
