// Serializes IR graphs to ONNX (opset 21, IR version 10: int4 weights and blocked DequantizeLinear).
// Large constants go to one external data file. A bundle's passes are written as one model whose
// `pass` input selects a branch (If), so every pass reads the same initializers: one copy of the
// weights per loaded model.

import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { ONNX_DTYPE, topologicalOrder, type Attr, type ConstData, type Value } from '../ir/graph';

export const OPSET = 21;
const IR_VERSION = 10;
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
  // int4 has no name in onnx-proto's enum but is a plain data type number (22) with packed raw bytes.
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

/** The deterministic tensor name of a value; `scope` prefixes computed values inside a pass's branch. */
function tensorName(v: Value, scope = ''): string {
  return v.name ?? `${scope}${v.op.toLowerCase()}_${v.id}`;
}

/**
 * The nodes computing a spec's outputs, and the type and shape of every float value they make; its
 * constants are collected into `constants` (by id, once). The shapes carry the compiler's symbolic dimensions
 * ('seq', 'suffix', …): without them onnxruntime names each dynamically sliced size anew, cannot match
 * freed buffers of equal size, and its buffer-reuse plan takes time quadratic in the graph's size.
 */
function specNodes(spec: GraphSpec, constants: Map<number, Value>, scope: string): { nodes: OnnxTypes.INodeProto[]; valueInfo: OnnxTypes.IValueInfoProto[] } {
  const order = topologicalOrder(spec.outputs.map((o) => o.value));
  const declared = new Set(spec.inputs.map((i) => i.id));
  const nodes: OnnxTypes.INodeProto[] = [];
  const values: OnnxTypes.IValueInfoProto[] = [];
  for (const v of order) {
    if (v.op === 'Input') {
      if (!declared.has(v.id)) throw new Error(`graph '${spec.name}' uses undeclared input '${v.name}'`);
      continue;
    }
    if (v.op === 'Constant') {
      constants.set(v.id, v);
      continue;
    }
    nodes.push({
      opType: v.op,
      name: `${scope}n${v.id}`,
      input: v.inputs.map((i) => tensorName(i, scope)),
      output: [tensorName(v, scope)],
      attribute: Object.entries(v.attrs).map(([k, a]) => attribute(k, a)),
    });
    // Float tensors only: they are what the planner matches, and declared shapes on the bool and int64
    // values of masks made onnxruntime-web's WebGPU provider compute sliding-window models wrongly.
    if (v.dtype === 'float32') values.push(valueInfo(tensorName(v, scope), v));
  }
  return { nodes, valueInfo: values };
}

function encodeModel(graph: OnnxTypes.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: IR_VERSION, producerName: 'heta-lens', opsetImport: [{ domain: '', version: OPSET }], graph }).finish();
}

export function writeOnnx(spec: GraphSpec, weights: WeightFile): Uint8Array {
  const constants = new Map<number, Value>();
  const { nodes, valueInfo: values } = specNodes(spec, constants, '');
  for (const o of spec.outputs) {
    nodes.push({ opType: 'Identity', name: `out_${o.name}`, input: [tensorName(o.value)], output: [o.name] });
  }
  return encodeModel({
    name: spec.name,
    node: nodes,
    initializer: [...constants.values()].map((v) => initializer(v, weights)),
    input: spec.inputs.map((i) => valueInfo(i.name!, i)),
    output: spec.outputs.map((o) => valueInfo(o.name, o.value)),
    valueInfo: values,
  });
}

/** The graph input that selects the pass of a dispatch model (int64 scalar, the pass's index). */
export const PASS_INPUT = 'pass';

/** Name of a pass's output in a dispatch model: `<pass>.<output>` (passes may share output names). */
export function passOutputName(pass: string, output: string): string {
  return `${pass}.${output}`;
}

/** Merges the declared shapes of one input name across passes: a dimension on which they differ becomes symbolic. */
function mergedInput(name: string, uses: readonly Value[]): Value {
  const [first] = uses;
  for (const u of uses) {
    if (u.dtype !== first.dtype || u.shape.length !== first.shape.length) throw new Error(`input '${name}' is declared with different types or ranks by different passes`);
  }
  const shape = first.shape.map((d, axis) => (uses.every((u) => u.shape[axis] === d) ? d : `${name}_${axis}`));
  return { ...first, shape };
}

/** An empty tensor of `v`'s type: every symbolic dimension 0. */
function empty(name: string, v: Value): OnnxTypes.ITensorProto {
  const dims = v.shape.map((d) => (typeof d === 'number' ? d : 0));
  const count = dims.reduce((p, d) => p * d, 1);
  const bytesPer = v.dtype === 'int64' ? 8 : v.dtype === 'float32' || v.dtype === 'int32' ? 4 : 1;
  return { name, dataType: ONNX_DTYPE[v.dtype], dims, rawData: new Uint8Array(count * bytesPer) };
}

/**
 * One model for all passes. Pass k runs when the `pass` input equals k: each pass is the then-branch of
 * its own If node (the else-branch returns empty placeholders), and all branches read the main graph's
 * initializers from the outer scope, so onnxruntime holds one copy of every weight. Every input of every
 * pass is a required input of the model (onnxruntime's JavaScript APIs cannot feed overridable
 * initializers), so a run feeds small placeholders for the inputs of the passes it does not select.
 */
export function writeDispatchModel(name: string, passes: readonly GraphSpec[], weights: WeightFile): Uint8Array {
  const constants = new Map<number, Value>();
  const inputUses = new Map<string, Value[]>();
  const nodes: OnnxTypes.INodeProto[] = [];
  const outputs: OnnxTypes.IValueInfoProto[] = [];
  const placeholders: OnnxTypes.ITensorProto[] = [];
  const selectors: OnnxTypes.ITensorProto[] = [];
  passes.forEach((spec, k) => {
    for (const i of spec.inputs) inputUses.set(i.name!, [...(inputUses.get(i.name!) ?? []), i]);
    const scope = `${spec.name}/`;
    const { nodes: body, valueInfo: bodyValues } = specNodes(spec, constants, scope);
    const thenOutputs = spec.outputs.map((o) => {
      const out = `${scope}${o.name}`;
      body.push({ opType: 'Identity', name: `${scope}out_${o.name}`, input: [tensorName(o.value, scope)], output: [out] });
      return valueInfo(out, o.value);
    });
    const elseNodes = spec.outputs.map((o) => {
      const placeholder = `${scope}${o.name}.empty`;
      placeholders.push(empty(placeholder, o.value));
      return { opType: 'Identity', name: `${scope}skip_${o.name}`, input: [placeholder], output: [`${placeholder}.out`] };
    });
    const selector = `${scope}index`;
    selectors.push({ name: selector, dataType: ONNX_DTYPE.int64, dims: [], rawData: new Uint8Array(BigInt64Array.of(BigInt(k)).buffer) });
    nodes.push({ opType: 'Equal', name: `${scope}select`, input: [PASS_INPUT, selector], output: [`${scope}selected`] });
    const G = onnx.AttributeProto.AttributeType.GRAPH;
    nodes.push({
      opType: 'If',
      name: `${scope}run`,
      input: [`${scope}selected`],
      output: spec.outputs.map((o) => passOutputName(spec.name, o.name)),
      attribute: [
        { name: 'then_branch', type: G, g: { name: `${spec.name}_then`, node: body, output: thenOutputs, valueInfo: bodyValues } },
        { name: 'else_branch', type: G, g: { name: `${spec.name}_else`, node: elseNodes, output: spec.outputs.map((o) => valueInfo(`${scope}${o.name}.empty.out`, o.value)) } },
      ],
    });
    for (const o of spec.outputs) outputs.push(valueInfo(passOutputName(spec.name, o.name), o.value));
  });
  const inputs = [...inputUses].map(([n, uses]) => mergedInput(n, uses));
  const passValue: Value = { id: -1, op: 'Input', inputs: [], attrs: {}, shape: [], dtype: 'int64', name: PASS_INPUT };
  return encodeModel({
    name,
    node: nodes,
    initializer: [...[...constants.values()].map((v) => initializer(v, weights)), ...placeholders, ...selectors],
    input: [valueInfo(PASS_INPUT, passValue), ...inputs.map((i) => valueInfo(i.name!, i))],
    output: outputs,
  });
}
