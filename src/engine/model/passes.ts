// Running one pass of a bundle's dispatch model: the `pass` input selects the branch, inputs of the other
// passes get tiny placeholders (every input of the model is required), and outputs come back under the
// pass's own names (the model prefixes them with the pass).

import type { ModelConfig } from '../checkpoint/types';
import { GRAPH_IO, PASS_ORDER, type GraphKind } from '../compiler/graphs';
import { PASS_INPUT, passOutputName } from '../onnx/writer';
import type { FeedTensor, GraphSession, HostTensor } from '../runtime/types';

/** One-element-per-symbolic-dimension stand-ins for every pass input, shaped as the model declares them. */
export function placeholders(config: ModelConfig): Record<string, HostTensor> {
  const { hiddenSize: d, numLayers: L, numKvHeads: Hkv, headDim: hd } = config;
  const f32 = (dims: number[]): HostTensor => ({ type: 'float32', dims, data: new Float32Array(dims.reduce((p, n) => p * n, 1)) });
  const i64 = (dims: number[]): HostTensor => ({ type: 'int64', dims, data: new BigInt64Array(dims.reduce((p, n) => p * n, 1)) });
  return {
    input_ids: i64([1, 1]),
    inputs_embeds: f32([1, 1, d]),
    rows: i64([1, 1]),
    target_rows: i64([1]),
    target_ids: i64([1]),
    target_weights: f32([1]),
    past_keys: f32([L, Hkv, 1, hd]),
    past_values: f32([L, Hkv, 1, hd]),
    start: i64([1]),
    probes: f32([1, d]),
    epsilon: f32([1]),
  };
}

export type PassRunner = (pass: GraphKind, feeds: Record<string, FeedTensor>, outputs?: readonly string[]) => Promise<Record<string, HostTensor>>;

/**
 * Everything one run of `pass` feeds the model (its own inputs, `standIns` from `placeholders` for the
 * others, the pass index) and the model's names of the outputs asked for. Throws if the model has an
 * input this engine does not know, or a feed names an input the model does not have.
 */
export function passFeeds<T extends FeedTensor>(
  inputNames: readonly string[],
  standIns: Readonly<Record<string, HostTensor>>,
  pass: GraphKind,
  feeds: Record<string, T>,
  outputs: readonly string[] = GRAPH_IO[pass].outputs,
): { feeds: Record<string, T | HostTensor>; outputs: string[] } {
  // A feed the model has no input for would be dropped silently (and its pass run on placeholders): refuse it.
  const unknown = Object.keys(feeds).find((name) => !inputNames.includes(name));
  if (unknown) throw new Error(`the ${pass} pass was fed '${unknown}', which the model has no input for`);
  const all: Record<string, T | HostTensor> = { [PASS_INPUT]: { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(PASS_ORDER.indexOf(pass))) } };
  for (const name of inputNames) {
    if (name === PASS_INPUT) continue;
    const value = feeds[name] ?? standIns[name];
    if (!value) throw new Error(`the model has an input this engine does not know: ${name}`);
    all[name] = value;
  }
  return { feeds: all, outputs: outputs.map((n) => passOutputName(pass, n)) };
}

/** Runs passes of `session`, the dispatch model of a bundle with `config`; throws at once if the model has an input this engine does not know. */
export function passRunner(session: GraphSession, config: ModelConfig): PassRunner {
  const standIns = placeholders(config);
  passFeeds(session.inputNames, standIns, 'embed', {});
  return async (pass, feeds, outputs = GRAPH_IO[pass].outputs) => {
    const run = passFeeds(session.inputNames, standIns, pass, feeds, outputs);
    const out = await session.run(run.feeds, run.outputs);
    return Object.fromEntries(outputs.map((n) => [n, out[passOutputName(pass, n)]]));
  };
}

/** Each pass as its own runnable, as tests and tools that drive passes directly want them. */
export function passSessions(session: GraphSession, config: ModelConfig): Record<GraphKind, { run(feeds: Record<string, FeedTensor>, outputs?: readonly string[]): Promise<Record<string, HostTensor>> }> {
  const run = passRunner(session, config);
  return Object.fromEntries(PASS_ORDER.map((pass) => [pass, { run: (feeds: Record<string, FeedTensor>, outputs?: readonly string[]) => run(pass, feeds, outputs) }])) as ReturnType<typeof passSessions>;
}
