// The compiler end to end: random tiny Hugging Face checkpoints of every family → bundle → onnxruntime-node,
// checked against the independent float64 reference forward and against finite differences.

import { describe, expect, it } from 'vitest';
import { openCheckpoint, type Checkpoint } from '../checkpoint/checkpoint';
import { memorySource } from '../checkpoint/memorySource';
import type { Tensor } from '../checkpoint/types';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import type { HostTensor } from '../runtime/types';
import { objectiveFeeds } from '../model/attributionModel';
import { passSessions } from '../model/passes';
import type { QuantScheme } from '../quant/quantize';
import { makeTinyCheckpoint, type TinyCheckpointOptions } from '../../testing/tinyCheckpoint';
import { TINY_FIXTURES } from '../../testing/tinyFixtures';
import { referenceForward, referenceLogProb } from '../../testing/referenceForward';
import { compileBundle, type CompiledBundle } from './bundle';
import { MANIFEST_FILE, parseBundleManifest } from './manifest';

const T = 7;

async function compile(options: TinyCheckpointOptions, quant: QuantScheme) {
  const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options), 'tiny'));
  const bundle = await compileBundle(ckpt, { quant, modelId: 'tiny' });
  const runtime = await createNodeRuntime();
  const externalData = [{ path: bundle.manifest.weights.file, data: bundle.files.get(bundle.manifest.weights.file)! }];
  const session = await runtime.createSession({ graph: bundle.files.get(bundle.manifest.model.file)!, externalData, name: 'tiny' });
  const sessions = passSessions(session, bundle.manifest.config);
  const tensors = new Map<string, Tensor>();
  for (const name of ckpt.tensorNames) tensors.set(name, await ckpt.getTensor(name));
  const lookup = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`missing ${name}`);
    return t;
  };
  const release = () => session.release();
  return { ckpt, bundle, sessions, lookup, release };
}

const f32 = (dims: number[], data: Float32Array): HostTensor => ({ type: 'float32', dims, data });
const i64 = (dims: number[], data: number[]): HostTensor => ({ type: 'int64', dims, data: BigInt64Array.from(data.map(BigInt)) });

async function embed(sessions: ReturnType<typeof passSessions>, ids: number[]): Promise<Float32Array> {
  const out = await sessions.embed.run({ input_ids: i64([1, ids.length], ids) });
  return out.inputs_embeds.data as Float32Array;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function ids(ckpt: Checkpoint): number[] {
  return Array.from({ length: T }, (_, i) => (i * 7 + 3) % ckpt.config.vocabSize);
}

describe.each(TINY_FIXTURES)('%s', (_name, options) => {
  it('the manifest it writes passes the one manifest parser every load path uses', async () => {
    const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options), 'tiny'));
    const bundle = await compileBundle(ckpt, { quant: 'none', modelId: 'tiny' });
    const parsed = parseBundleManifest(bundle.files.get(MANIFEST_FILE)!, 'tiny');
    expect(parsed.config.architecture).toBe(ckpt.config.architecture);
  });

  it('forward and inspect logits, attention and ν equal the reference; gradient equals finite differences', async () => {
    const { ckpt, sessions, lookup, release } = await compile(options, 'none');
    const { hiddenSize: d, vocabSize: V, numLayers: L, numHeads: H } = ckpt.config;
    const x = await embed(sessions, ids(ckpt));
    const ref = referenceForward(ckpt.config, lookup, x, T);

    // forward: all rows, batch of 2 identical items
    const rows = [...Array(T).keys()];
    const fwd = await sessions.forward.run({
      inputs_embeds: f32([2, T, d], Float32Array.from([...x, ...x])),
      rows: i64([2, T], [...rows, ...rows]),
    });
    expect(fwd.logits.dims).toEqual([2, T, V]);
    expect(maxAbsDiff(fwd.logits.data.subarray(0, T * V) as Float32Array, ref.logits)).toBeLessThanOrEqual(1e-4);

    const ins = await sessions.inspect.run({ inputs_embeds: f32([1, T, d], x) });
    expect(maxAbsDiff(ins.logits.data as Float32Array, ref.logits)).toBeLessThanOrEqual(1e-4);
    expect(ins.attention.dims).toEqual([L, H, T, T]);
    const att = ins.attention.data as Float32Array;
    for (let r = 0; r < L * H * T; r++) {
      let sum = 0;
      for (let c = 0; c < T; c++) {
        sum += att[r * T + c];
        if (c > r % T) expect(att[r * T + c]).toBe(0);
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(att, Float32Array.from(ref.attention.flatMap((a) => [...a])))).toBeLessThan(1e-5);
    const nu = Float32Array.from(ref.valueStrength.flatMap((a) => [...a]));
    expect(ins.value_strength.dims).toEqual([L, H, T]);
    expect(maxAbsDiff(ins.value_strength.data as Float32Array, nu) / Math.max(...nu)).toBeLessThan(1e-5);

    // The objective g = Σ_r w_r log softmax(logits[q_r])[t_r]: one token, and a weighted sum over two rows
    // (the shape of span and contrast targets), each in a batch of two identical items.
    const objectives = [
      { rows: [T - 1], ids: [5 % V], weights: [1] },
      { rows: [T - 1, 3], ids: [5 % V, 11 % V], weights: [1, -0.5] },
    ];
    const grads = await Promise.all(objectives.map((o) => sessions.gradient.run({ inputs_embeds: f32([2, T, d], Float32Array.from([...x, ...x])), ...objectiveFeeds(o) })));
    // hessianProbe from token P (cached prefix, in-graph perturbation, differences and norm) equals
    // central differences of the full gradient graph taken on the host; P = 0 runs with an empty cache.
    const { numLayers, numKvHeads: Hkv, headDim: hd } = ckpt.config;
    expect(ins.keys.dims).toEqual([numLayers, Hkv, T, hd]);
    const eps = 1e-2;
    const signs = Float32Array.from({ length: 2 * d }, (_, k) => (Math.sin(k * 2.3) > 0 ? 1 : -1));
    for (const P of [0, 3]) {
      const probe = await sessions.hessianProbe.run({
        inputs_embeds: f32([1, T, d], x),
        past_keys: ins.keys,
        past_values: ins.values,
        start: i64([1], [P]),
        ...objectiveFeeds(objectives[0]),
        probes: f32([2, d], signs),
        epsilon: f32([1], Float32Array.of(eps)),
      });
      expect(probe.hvp_norm.dims).toEqual([2]);
      const perturbed = new Float32Array(4 * T * d);
      for (let k = 0; k < 4; k++) {
        perturbed.set(x, k * T * d);
        const sign = k % 2 === 0 ? 1 : -1;
        for (let j = 0; j < d; j++) perturbed[(k * T + P) * d + j] += sign * eps * signs[(k >> 1) * d + j];
      }
      const host = await sessions.gradient.run({ inputs_embeds: f32([4, T, d], perturbed), ...objectiveFeeds(objectives[0]) });
      const G = host.grad.data as Float32Array;
      for (let b = 0; b < 2; b++) {
        let norm = 0;
        for (let j = 0; j < d; j++) norm += Math.abs(G[((2 * b) * T + P) * d + j] - G[((2 * b + 1) * T + P) * d + j]) / (2 * eps);
        // A token outside the row's receptive field (sliding windows over two layers) has exactly zero curvature.
        if (norm === 0) expect(probe.hvp_norm.data[b]).toBe(0);
        else expect(Math.abs((probe.hvp_norm.data[b] as number) - norm) / norm).toBeLessThan(1e-3);
      }
    }

    for (const [b, o] of objectives.entries()) {
      const reference = o.rows.reduce((sum, q, r) => sum + o.weights[r] * referenceLogProb(ckpt.config, lookup, x, T, q, o.ids[r]), 0);
      for (const item of [0, 1]) expect(Math.abs((grads[b].objective.data[item] as number) - reference)).toBeLessThan(1e-4);
      const gBlock = (grads[b].grad.data as Float32Array).subarray(T * d, 2 * T * d); // the batch's second item
      // Central differences of the ONNX forward graph itself, one coordinate at a time, batched.
      const eps = 1e-2;
      const coords = [...Array(T * d).keys()].filter((i) => i % 3 === b % 3);
      const batch = new Float32Array(coords.length * 2 * T * d);
      coords.forEach((i, k) => {
        batch.set(x, (2 * k) * T * d);
        batch.set(x, (2 * k + 1) * T * d);
        batch[2 * k * T * d + i] += eps;
        batch[(2 * k + 1) * T * d + i] -= eps;
      });
      const n = coords.length * 2;
      const R = o.rows.length;
      const out = await sessions.forward.run({ inputs_embeds: f32([n, T, d], batch), rows: i64([n, R], Array.from({ length: n }, () => o.rows).flat()) });
      const logits = out.logits.data as Float32Array;
      const logp = (k: number) =>
        o.rows.reduce((sum, _, r) => {
          const row = logits.subarray((k * R + r) * V, (k * R + r + 1) * V);
          const m = Math.max(...row);
          return sum + o.weights[r] * (row[o.ids[r]] - m - Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)));
        }, 0);
      let err = 0;
      let norm = 0;
      coords.forEach((i, k) => {
        const numeric = (logp(2 * k) - logp(2 * k + 1)) / (2 * eps);
        err += (numeric - gBlock[i]) ** 2;
        norm += numeric ** 2;
      });
      expect(Math.sqrt(err / norm)).toBeLessThan(1e-3);
    }
    await release();
  });
});

describe('quantized bundles', () => {
  it.each(['q8', 'q4'] as const)('%s: logits error and gradient cosine against none are bounded', async (quant) => {
    const options: TinyCheckpointOptions = { family: 'llama', gqa: true, hiddenSize: 64, intermediateSize: 128 };
    const exact = await compile(options, 'none');
    const quantized = await compile(options, quant);
    const { hiddenSize: d } = exact.ckpt.config;
    const x = await embed(exact.sessions, ids(exact.ckpt));
    const feeds = { inputs_embeds: f32([1, T, d], x), ...objectiveFeeds({ rows: [T - 1], ids: [3], weights: [1] }) };
    const a = await exact.sessions.gradient.run(feeds);
    const b = await quantized.sessions.gradient.run(feeds);
    const ga = a.grad.data as Float32Array;
    const gb = b.grad.data as Float32Array;
    let dot = 0, na = 0, nb = 0;
    for (let i = 0; i < ga.length; i++) {
      dot += ga[i] * gb[i];
      na += ga[i] ** 2;
      nb += gb[i] ** 2;
    }
    const cosine = dot / Math.sqrt(na * nb);
    const rows = { inputs_embeds: f32([1, T, d], x), rows: i64([1, T], [...Array(T).keys()]) };
    const la = (await exact.sessions.forward.run(rows)).logits.data as Float32Array;
    const lb = (await quantized.sessions.forward.run(rows)).logits.data as Float32Array;
    const range = Math.max(...la) - Math.min(...la);
    const relativeErr = maxAbsDiff(la, lb) / range;
    console.log(`${quant}: max |Δlogit| / logit range = ${relativeErr.toExponential(2)}, gradient cosine = ${cosine.toFixed(5)}`);
    // Random Gaussian weights are a hard case: one quantization step is 1/127 (int8) or 1/7 (4-bit) of a
    // row's or block's largest weight, and the errors compound over layers; measured 0.8% / 16% of the logit range here.
    expect(relativeErr).toBeLessThan(quant === 'q8' ? 0.02 : 0.25);
    expect(cosine).toBeGreaterThan(quant === 'q8' ? 0.999 : 0.85);
    const bytes = (c: CompiledBundle) => c.manifest.weights.bytes;
    expect(bytes(quantized.bundle)).toBeLessThan(bytes(exact.bundle) * (quant === 'q8' ? 0.4 : 0.3));
    await exact.release();
    await quantized.release();
  });
});
