// A compiled model as reviewable text: the graph inputs and outputs, the initializers (name, dtype, shape,
// where the bytes live) and every node in order, one line each, with the If branches indented under their
// node. Computed values are renumbered %1, %2, … in order of definition, so inserting one node shows up as
// that node, not as a renaming of every later one.

import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** The dtypes the compiler emits, by ONNX number (int4 = 22 has no name in onnx-proto's enum). */
const DTYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 16: 'bfloat16', 22: 'int4' };

// What the writer names an unnamed value: `<scope>/<op in lower case>_<value id>` (onnx/writer.ts tensorName).
const COMPUTED = /^([\w-]+\/)?[a-z]+_\d+$/;

const dtypeOf = (n: number | null | undefined) => DTYPES[n ?? 0] ?? `dtype${n}`;

function shapeOf(shape: OnnxTypes.ITensorShapeProto | null | undefined): string {
  return `[${(shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : String(d.dimValue))).join(', ')}]`;
}

function typeOf(v: OnnxTypes.IValueInfoProto): string {
  const t = v.type?.tensorType;
  return `${dtypeOf(t?.elemType)}${shapeOf(t?.shape)}`;
}

/** Float32 values as the few digits that tell them apart. */
const float = (x: number) => String(Number(x.toPrecision(6)));

/** The values of a small inline tensor (shapes, axes, scalars): what makes a Reshape or a Slice readable. */
function smallValues(t: OnnxTypes.ITensorProto): string {
  const raw = t.rawData;
  if (!raw || t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return '';
  const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const D = onnx.TensorProto.DataType;
  const values =
    t.dataType === D.INT64 ? [...new BigInt64Array(bytes)].map(String)
    : t.dataType === D.INT32 ? [...new Int32Array(bytes)].map(String)
    : t.dataType === D.FLOAT ? [...new Float32Array(bytes)].map(float)
    : null;
  return values && values.length <= 8 ? ` = [${values.join(', ')}]` : '';
}

function attrText(a: OnnxTypes.IAttributeProto): string | null {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return `${a.name}=${a.i}`;
    case T.INTS:
      return `${a.name}=[${(a.ints ?? []).join(',')}]`;
    case T.FLOAT:
      return `${a.name}=${float(a.f ?? 0)}`;
    case T.STRING:
      return `${a.name}=${JSON.stringify(new TextDecoder().decode(a.s ?? new Uint8Array()))}`;
    default:
      return null; // graphs are listed as branches below their node
  }
}

/** The listing of an ONNX model's bytes. */
export function onnxListing(bytes: Uint8Array): string {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const renamed = new Map<string, string>();
  const name = (n: string) => renamed.get(n) ?? n;
  const define = (n: string) => {
    if (COMPUTED.test(n) && !renamed.has(n)) renamed.set(n, `%${renamed.size + 1}`);
    return name(n);
  };
  const lines = [
    `model ${graph.name}: ir ${model.irVersion}, opset ${(model.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`,
    'inputs',
    ...(graph.input ?? []).map((v) => `  ${v.name}: ${typeOf(v)}`),
    'outputs',
    ...(graph.output ?? []).map((v) => `  ${v.name}: ${typeOf(v)}`),
    'initializers',
    ...(graph.initializer ?? []).map((t) => {
      const where = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL ? 'external' : 'inline';
      return `  ${define(t.name!)}: ${dtypeOf(t.dataType)}[${(t.dims ?? []).join(', ')}] ${where}${smallValues(t)}`;
    }),
    'nodes',
  ];
  const listNodes = (g: OnnxTypes.IGraphProto, indent: string) => {
    const shapes = new Map((g.valueInfo ?? []).map((v) => [v.name!, typeOf(v)]));
    for (const n of g.node ?? []) {
      const inputs = (n.input ?? []).map(name).join(', ');
      const outputs = (n.output ?? []).map((o) => `${define(o)}${shapes.has(o) ? `: ${shapes.get(o)}` : ''}`).join(', ');
      const attrs = (n.attribute ?? []).map(attrText).filter((a) => a !== null);
      lines.push(`${indent}${outputs} = ${n.opType}(${inputs})${attrs.length ? ` {${attrs.join(' ')}}` : ''}`);
      for (const a of n.attribute ?? []) {
        if (!a.g) continue;
        lines.push(`${indent}  ${a.name} → ${(a.g.output ?? []).map((o) => `${name(o.name!)}: ${typeOf(o)}`).join(', ')}`);
        listNodes(a.g, `${indent}    `);
      }
    }
  };
  listNodes(graph, '  ');
  return `${lines.join('\n')}\n`;
}
