// `heta attribute --model <bundle-dir> --prompt <text> [--target <token-text> | --target-pos <n> | --continuation <text>]
// [--foil <token-text>] [--granularity word] ...`

import { limitedOption, parseMask, parseScaling, parseSensitivity, SENSITIVITY_OPTIONS, withNegativeValues } from './options';
import { DEFAULT_PARAMS } from '../engine/attribution/schema';
import { parseArgs } from 'node:util';
import type { GenerationResult } from '../engine/attribution/generation';
import { EngineSession } from '../engine/session/engineSession';
import type { AttributionResult, GranularityView, ResultTarget, SensitivityRecord, TargetRequest, TokenTarget } from '../engine/attribution/schema';
import { GRANULARITIES, isGranularity, withGranularity } from '../engine/attribution/granularity';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { loadBundleDir } from './loadBundle';
import { checkOutputFile, writeFileAtomic } from '../node/outputFile';
import { attributionCost, formatCost, measureThroughput } from './costEstimate';
import { progressLine } from './progress';

const USAGE =
  'usage: heta attribute --model <bundle-dir> --prompt <text> [--target <token-text> | --target-pos <n> | --continuation <text>] [--foil <token-text>] ' +
  '[--granularity token|word|sentence|line|paragraph] ' +
  '[--generate <n>] [--m 10] [--adaptive [--se-target 0.05] [--min-probes 4]] [--difference central|forward] [--seed 0] [--beta 0.5] [--gamma 0.5] [--scaling raw|normalized] ' +
  '[--mask zero|mean|token:<id>] [--json <file>] [--dump-probes]';

/** Generation matrix as text: each generated token with its three strongest sources. */
export function formatGeneration(g: GenerationResult): string {
  const show = (t: string) => JSON.stringify(t);
  const lines = [`${show(g.prompt)} → ${show(g.text.slice(g.prompt.length))}`, ''];
  for (const row of g.rows) {
    const top = [...row.scores.keys()].sort((a, b) => row.scores[b] - row.scores[a]).slice(0, 3);
    lines.push(
      `${String(row.target.position).padStart(4)}  ${show(row.target.text).padEnd(14)} p=${row.target.probability.toFixed(3)}  ← ` +
        top.map((i) => `${show(g.tokens[i].text)}@${i} ${row.scores[i].toExponential(2)}`).join(', '),
    );
  }
  return lines.join('\n');
}

/** The target in one line: what g is, its value and the probabilities behind it. */
export function describeTarget(t: ResultTarget): string {
  const show = JSON.stringify;
  if (t.kind === 'span' && t.span) {
    const what = t.span.continuation !== null ? 'typed continuation' : 'span of the text';
    return `${what} ${show(t.span.text)} (tokens ${t.position} … ${t.span.end - 1}, teacher-forced): log p = ${t.span.logprob.toFixed(4)} (p = ${Math.exp(t.span.logprob).toPrecision(3)})`;
  }
  if (t.kind === 'contrast' && t.foil) {
    return (
      `${show(t.text)} rather than ${show(t.foil.text)} at position ${t.position}: log p(t) − log p(t′) = ${(t.logprob - t.foil.logprob).toFixed(4)} ` +
      `(p = ${t.probability.toFixed(4)} vs ${t.foil.probability.toPrecision(3)})`
    );
  }
  return `${show(t.text)} (id ${t.id}) at position ${t.position}, p = ${t.probability.toFixed(4)}`;
}

/** Scores summed over word / sentence / line / paragraph segments, strongest first marked. */
export function formatSegments({ level, segments }: GranularityView): string {
  const scores = segments.map((s) => s.score);
  const total = scores.reduce((a, b) => a + b, 0);
  const order = [...scores.keys()].sort((a, b) => scores[b] - scores[a]);
  const rank = new Map(order.map((i, k) => [i, k + 1]));
  const lines = [`${'#'.padStart(4)}  ${'tokens'.padEnd(9)} ${'score'.padStart(10)} ${'share'.padStart(6)} ${'rank'.padStart(5)}  ${level}`];
  segments.forEach((s, k) => {
    const range = s.tokens.length === 1 ? `${s.tokens[0]}` : `${s.tokens[0]}–${s.tokens.at(-1)}`;
    const share = total > 0 ? `${((100 * scores[k]) / total).toFixed(1)}%` : '–';
    lines.push(`${String(k).padStart(4)}  ${range.padEnd(9)} ${scores[k].toExponential(3).padStart(10)} ${share.padStart(6)} ${String(rank.get(k)).padStart(5)}  ${JSON.stringify(s.text).slice(1, -1)}`);
  });
  return lines.join('\n');
}

/** A readable table: one row per context token, strongest first marked. */
export function formatTable(r: AttributionResult): string {
  const { M, S, S_stderr, I } = r.components;
  const order = [...r.scores.keys()].sort((a, b) => r.scores[b] - r.scores[a]);
  const rank = new Map(order.map((i, k) => [i, k + 1]));
  const show = (t: string) => JSON.stringify(t).slice(1, -1);
  const lines = [
    `model ${r.model.id} (${r.model.architecture}, ${r.model.quantization}) on ${r.backend.detail}`,
    `target ${describeTarget(r.target)}`,
    `top predictions: ${r.predictions.map((p) => `${JSON.stringify(p.text)} ${p.probability.toFixed(3)}`).join(', ')}`,
    '',
    `${'pos'.padStart(4)}  ${'token'.padEnd(16)} ${'score'.padStart(10)} ${'rank'.padStart(5)} ${'M'.padStart(8)} ${'S'.padStart(10)} ${'±se'.padStart(9)} ${'I'.padStart(10)}`,
  ];
  for (let i = 0; i < r.scores.length; i++) {
    lines.push(
      `${String(i).padStart(4)}  ${show(r.tokens[i].text).slice(0, 16).padEnd(16)} ${r.scores[i].toExponential(3).padStart(10)} ${String(rank.get(i)).padStart(5)} ` +
        `${M[i].toFixed(4).padStart(8)} ${S[i].toExponential(3).padStart(10)} ${S_stderr[i].toExponential(2).padStart(9)} ${I[i].toExponential(3).padStart(10)}`,
    );
  }
  const scaling = r.params.scaling === 'normalized' ? ' (S and I each normalized over the context)' : ' (raw components, as in the paper)';
  lines.push('', `β = ${r.params.beta}, γ = ${r.params.gamma}${scaling}, m = ${r.params.m}, seed ${r.params.seed}, mask ${r.params.mask.kind}; ` +
    `${r.passes.gradient} gradient passes; ${(r.timings.totalMs / 1000).toFixed(2)} s`);
  if (r.sensitivity) lines.push(sensitivitySummary(r.sensitivity));
  return lines.join('\n');
}

/** How S was estimated: the difference, and for adaptive probing the passes used against fixed m. */
export function sensitivitySummary(s: SensitivityRecord): string {
  const difference = s.difference === 'forward' ? 'forward differences (first-order)' : 'central differences';
  if (s.probing === 'fixed') return `S: fixed m, ${difference}`;
  const n = s.probesPerToken;
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  const ratio = s.gradientPasses > 0 ? s.fixedGradientPasses / s.gradientPasses : 1;
  return (
    `S: adaptive, ${difference}, stop when ${s.stopRule}; probes per token ${Math.min(...n)} … ${Math.max(...n)} (mean ${mean.toFixed(1)}); ` +
    `${s.gradientPasses} gradient passes vs ${s.fixedGradientPasses} for fixed m (${s.passesSaved} saved, ${ratio.toFixed(2)}× fewer)`
  );
}

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  target: { type: 'string' },
  'target-pos': { type: 'string' },
  continuation: { type: 'string' },
  foil: { type: 'string' },
  granularity: { type: 'string', default: 'token' },
  m: { type: 'string' },
  ...SENSITIVITY_OPTIONS,
  seed: { type: 'string' },
  beta: { type: 'string' },
  gamma: { type: 'string' },
  scaling: { type: 'string', default: DEFAULT_PARAMS.scaling },
  mask: { type: 'string', default: 'zero' },
  json: { type: 'string' },
  'dump-probes': { type: 'boolean', default: false },
  generate: { type: 'string' },
  threads: { type: 'string' },
} as const;

export async function attributeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: withNegativeValues(argv, OPTIONS), options: OPTIONS });
  if (!values.model || values.prompt === undefined) throw new Error(USAGE);
  const targets = (['target', 'target-pos', 'continuation'] as const).filter((k) => values[k] !== undefined);
  if (targets.length > 1) throw new Error(`give one of --target, --target-pos and --continuation, not ${targets.map((k) => `--${k}`).join(' and ')}`);
  if (values.generate !== undefined && (targets.length > 0 || values.foil !== undefined)) throw new Error('--generate explains each generated token: it takes no --target, --target-pos, --continuation or --foil');
  if (values.foil !== undefined && values.continuation !== undefined) throw new Error('--foil contrasts one token with another: it does not combine with --continuation');
  const granularity = values.granularity!;
  if (!isGranularity(granularity)) throw new Error(`--granularity must be one of ${GRANULARITIES.join(', ')}, got '${granularity}'`);
  // Every option and the output path are checked before the model loads and long work starts.
  const params = {
    m: limitedOption('m', 'm', values.m, 10),
    ...parseSensitivity(values),
    seed: limitedOption('seed', 'seed', values.seed, 0),
    beta: limitedOption('beta', 'beta', values.beta, 0.5),
    gamma: limitedOption('gamma', 'gamma', values.gamma, 0.5),
    scaling: parseScaling(values.scaling!),
    mask: parseMask(values.mask!),
  };
  const steps = values.generate === undefined ? undefined : limitedOption('generate', 'generate', values.generate, 1);
  const targetPos = values['target-pos'] === undefined ? undefined : limitedOption('target-pos', 'targetPosition', values['target-pos'], 1);
  const threads = values.threads === undefined ? undefined : limitedOption('threads', 'threads', values.threads, 1);
  if (values.json) await checkOutputFile(values.json, '--json');
  const runtime = await createNodeRuntime({ threads });
  // The session the app's worker drives; Ctrl-C cancels the run (the output file is only written at the end).
  const session = new EngineSession();
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    const { model } = await session.load(async () => ({ model: await loadBundleDir(values.model!, runtime), plan: null }), controller);
    const V = model.config.vocabSize;
    if (params.mask.kind === 'token' && params.mask.id >= V) throw new Error(`--mask token:${params.mask.id} is not in ${model.manifest.modelId}'s vocabulary (ids 0 … ${V - 1})`);
    const tokenId = (flag: string, text: string): number => {
      const id = model.tokenizer.textToId(text);
      if (id === null) throw new Error(`--${flag} ${JSON.stringify(text)} is not a single token of this model's vocabulary (try a leading space, e.g. " Paris"; for several tokens use --continuation)`);
      return id;
    };
    let token: TokenTarget = { kind: 'next' };
    if (targetPos !== undefined) token = { kind: 'position', position: targetPos };
    if (values.target !== undefined) token = { kind: 'next', tokenId: tokenId('target', values.target) };
    const target: TargetRequest =
      values.continuation !== undefined
        ? { kind: 'span', continuation: values.continuation }
        : values.foil !== undefined
          ? { kind: 'contrast', target: token, foilId: tokenId('foil', values.foil) }
          : token;
    const ids = model.tokenizer.encode(values.prompt).map((t) => t.id);
    if (ids.length > 0 && ids.length <= model.config.maxPositions) {
      const p = steps !== undefined ? ids.length + steps : token.kind === 'position' && target.kind !== 'span' ? Math.min(token.position, ids.length) : ids.length;
      const cost = attributionCost(model, p, params.m, await measureThroughput(model, ids), steps ?? 1, params.difference === 'central');
      const atMost = [steps !== undefined ? `for ${steps} generated tokens` : '', params.adaptive ? 'adaptive probing stops tokens early' : ''].filter(Boolean);
      console.error(`${formatCost(cost)}${atMost.length ? ` (at most: ${atMost.join('; ')})` : ''}`);
    }
    const progress = progressLine();
    const options = { dumpProbes: values['dump-probes'], signal: controller.signal };
    const result =
      steps !== undefined
        ? await session.generate(values.prompt, steps, params, {
            ...options,
            onProgress: (p) => progress.update(`token ${(p.part?.index ?? 0) + 1}/${p.part?.count ?? 1} ${p.stage}`, p.done, p.total),
          })
        : (await session.run(values.prompt, target, params, { ...options, onProgress: (p) => progress.update(p.stage, p.done, p.total) })).result;
    progress.done();
    // The word / sentence / … view, computed once for the JSON and the printed table.
    const view = result.schema === 'heta-attribution' && granularity !== 'token' ? withGranularity(result, granularity) : result;
    if (values.json) {
      await writeFileAtomic(values.json, JSON.stringify(view, null, 2));
      console.log(`wrote ${values.json}`);
    }
    if (view.schema === 'heta-generation') console.log(formatGeneration(view));
    else {
      console.log(formatTable(view));
      if (view.granularity) console.log(`\n${formatSegments(view.granularity)}`);
    }
  } catch (e) {
    if (controller.signal.aborted) throw new Error('cancelled (Ctrl-C): nothing was written');
    throw e;
  } finally {
    process.off('SIGINT', interrupt);
    await session.release();
  }
}
