// `heta eval --model <bundle-dir> --dataset <file> [--methods heta,ig,...] [--limit N] [--json <file>] ...`
// Runs every method on every item, scores them with the faithfulness metrics and prints a method × metric
// table with 95% intervals. With --json the file is rewritten (atomically) after every item, so an
// interrupted run keeps its finished items and `--resume` continues it.

import { limitedOption, numberOption, parseMask, parseScaling, parseSensitivity, SENSITIVITY_OPTIONS, withNegativeValues } from './options';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PARAMS, type AttributionParams, type MaskScheme } from '../engine/attribution/schema';
import { DEFAULT_BASELINE_OPTIONS } from '../engine/baselines/context';
import type { IgGrid } from '../engine/baselines/integratedGradients';
import { parseMethods } from '../engine/baselines/methods';
import { parseDataset } from '../engine/eval/dataset';
import { deriveSeed, evaluateItem, formatSummary, SEED_SALT, summarize, type ItemResult, type Summary } from '../engine/eval/harness';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { loadBundleDir } from './loadBundle';
import { checkOutputFile, writeFileAtomic } from '../node/outputFile';
import { formatSeconds } from '../engine/units';
import { progressLine } from './progress';

const USAGE =
  'usage: heta eval --model <bundle-dir> --dataset <curated.json | items.jsonl> [--methods all|heta,ig,...] [--limit N] ' +
  '[--json <file> [--resume | --overwrite]] [--only-correct] [--m 10] [--adaptive [--se-target 0.05] [--min-probes 4]] [--difference central|forward] [--scaling raw|normalized] [--seed 0] [--mask zero|mean|token:<id>] [--ig-steps 512] ' +
  '[--ig-grid log|uniform] [--cc-samples 128] [--cc-lambda cv|<λ/λ_max>] [--draws 8] [--threads N]';

export const EVAL_SCHEMA = 'heta-eval';
export const EVAL_SCHEMA_VERSION = 1;

export interface EvalSettings {
  model: { id: string; fingerprint: string; quantization: string };
  dataset: { file: string; kind: string; items: number };
  methods: string[];
  params: {
    m: number;
    seed: number;
    mask: MaskScheme;
    beta: number;
    gamma: number;
    igSteps: number;
    igGrid: IgGrid;
    contextCiteSamples: number;
    contextCiteLambda: number | 'cv';
    draws: number;
    /** Only items whose target is the model's top-1 prediction are scored (absent in older files = false). */
    onlyCorrect?: boolean;
    /** S and I normalized over the context before β and γ (absent in older files = raw). */
    scaling?: 'normalized';
    /** How HETA estimates S when not fixed-m central differences (absent in older files = that default). */
    sensitivity?: Pick<AttributionParams, 'adaptive' | 'seTarget' | 'minProbes' | 'difference'>;
  };
}

export interface EvalFile extends EvalSettings {
  schema: typeof EVAL_SCHEMA;
  version: number;
  backend: string;
  complete: boolean;
  /** Wall time of the runs that wrote this file, summed. */
  wallMs: number;
  items: ItemResult[];
  summary: Summary;
}



function parseGrid(value: string): IgGrid {
  if (value === 'log' || value === 'uniform') return value;
  throw new Error(`--ig-grid must be log or uniform, got '${value}'`);
}

async function writeAtomic(file: string, data: EvalFile): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(data));
}

/** The finished file to resume, or an error naming it when it is unreadable or not a heta eval file. */
function parseEvalFile(text: string, file: string): EvalFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`cannot resume ${file}: it is not valid JSON (${(e as Error).message}); it was left as it is. Move it away, or pass --overwrite to start again`);
  }
  const f = json as Partial<EvalFile> | null;
  if (!f || typeof f !== 'object' || f.schema !== EVAL_SCHEMA || !Array.isArray(f.items) || f.items.some((it) => !it || typeof it.id !== 'string')) {
    throw new Error(`cannot resume ${file}: it is not a heta eval file (no "${EVAL_SCHEMA}" schema with an items list); it was left as it is`);
  }
  return f as EvalFile;
}

/** Settings that must agree for --resume (everything that changes a number in the results). */
function sameSettings(a: EvalSettings, b: EvalSettings): string | null {
  if (a.model.fingerprint !== b.model.fingerprint) return `the model differs (${a.model.id} ${a.model.fingerprint.slice(0, 12)} vs ${b.model.id} ${b.model.fingerprint.slice(0, 12)})`;
  if (a.dataset.kind !== b.dataset.kind || a.dataset.file !== b.dataset.file) return `the dataset differs (${a.dataset.file} vs ${b.dataset.file})`;
  if (a.methods.join(',') !== b.methods.join(',')) return `the methods differ (${a.methods.join(',')} vs ${b.methods.join(',')})`;
  if (JSON.stringify(a.params) !== JSON.stringify(b.params)) return `the parameters differ (${JSON.stringify(a.params)} vs ${JSON.stringify(b.params)})`;
  return null;
}

const OPTIONS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  methods: { type: 'string', default: 'all' },
  limit: { type: 'string' },
  json: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'only-correct': { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  m: { type: 'string' },
  ...SENSITIVITY_OPTIONS,
  seed: { type: 'string' },
  mask: { type: 'string', default: 'zero' },
  beta: { type: 'string' },
  gamma: { type: 'string' },
  scaling: { type: 'string', default: DEFAULT_PARAMS.scaling },
  'ig-steps': { type: 'string' },
  'ig-grid': { type: 'string', default: 'log' },
  'cc-samples': { type: 'string' },
  'cc-lambda': { type: 'string' },
  draws: { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
} as const;

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: withNegativeValues(argv, OPTIONS), options: OPTIONS });
  if (!values.model || !values.dataset) throw new Error(USAGE);
  if (values.resume && !values.json) throw new Error('--resume needs --json <file> (the file to continue)');
  if (values.resume && values.overwrite) throw new Error('give --resume or --overwrite, not both');
  const methods = parseMethods(values.methods!);
  const sensitivity = parseSensitivity(values);
  const limit = values.limit === undefined ? Infinity : limitedOption('limit', 'limit', values.limit, 1);
  const params: EvalSettings['params'] = {
    m: limitedOption('m', 'm', values.m, 10),
    seed: limitedOption('seed', 'seed', values.seed, 0),
    mask: parseMask(values.mask!),
    beta: limitedOption('beta', 'beta', values.beta, 0.5),
    gamma: limitedOption('gamma', 'gamma', values.gamma, 0.5),
    igSteps: limitedOption('ig-steps', 'igSteps', values['ig-steps'], DEFAULT_BASELINE_OPTIONS.igSteps),
    igGrid: parseGrid(values['ig-grid']!),
    contextCiteSamples: limitedOption('cc-samples', 'contextCiteSamples', values['cc-samples'], DEFAULT_BASELINE_OPTIONS.contextCiteSamples),
    contextCiteLambda: values['cc-lambda'] === undefined || values['cc-lambda'] === 'cv' ? 'cv' : numberOption('cc-lambda', values['cc-lambda'], 0),
    draws: limitedOption('draws', 'draws', values.draws, 8),
    ...(values['only-correct'] ? { onlyCorrect: true } : {}), // absent when off: older files still resume
    ...(sensitivity.adaptive || sensitivity.difference !== 'central' ? { sensitivity } : {}), // likewise
    ...(parseScaling(values.scaling!) === 'normalized' ? { scaling: 'normalized' as const } : {}), // likewise
  };
  const maxBatch = values['max-batch'] === undefined ? undefined : limitedOption('max-batch', 'maxBatch', values['max-batch'], 64);
  const threads = values.threads === undefined ? undefined : limitedOption('threads', 'threads', values.threads, 1);
  if (values.json) await checkOutputFile(values.json, '--json', { existingChecked: true }); // --resume / --overwrite below

  const dataset = parseDataset(await readFile(values.dataset, 'utf8'));
  const items = dataset.items.slice(0, Math.min(limit, dataset.items.length));
  const runtime = await createNodeRuntime({ threads });
  const model = await loadBundleDir(values.model, runtime);
  const settings: EvalSettings = {
    model: { id: model.manifest.modelId, fingerprint: model.manifest.source.fingerprint, quantization: model.manifest.quantization.requested },
    dataset: { file: basename(values.dataset), kind: dataset.kind, items: dataset.items.length },
    methods: methods.map((m) => m.id),
    params,
  };

  // Resuming keeps every finished item of the file, also those beyond a smaller --limit: nothing finished is dropped.
  let previous: ItemResult[] = [];
  let previousMs = 0;
  if (values.json) {
    const existing = await readFile(values.json, 'utf8').catch(() => null);
    if (existing !== null && values.resume) {
      const old = parseEvalFile(existing, values.json);
      const why = sameSettings(old, settings);
      if (why) throw new Error(`cannot resume ${values.json}: ${why}`);
      const wanted = new Set(items.map((it) => it.id));
      previous = old.items.filter((it) => !(it.error && wanted.has(it.id))); // failed items of this selection run again
      previousMs = old.wallMs;
      const beyond = previous.filter((it) => !wanted.has(it.id)).length;
      console.error(
        `resuming ${values.json}: ${previous.length - beyond} of ${items.length} items already done` +
          (beyond ? `; keeping ${beyond} finished item(s) beyond --limit ${items.length}` : ''),
      );
    } else if (existing !== null && !values.overwrite) {
      throw new Error(`${values.json} exists; pass --resume to continue it or --overwrite to start again`);
    }
  }

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\ninterrupted: finishing up (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  const results = [...previous];
  const done = new Set(previous.map((it) => it.id));
  const file = (complete: boolean): EvalFile => ({
    schema: EVAL_SCHEMA,
    version: EVAL_SCHEMA_VERSION,
    ...settings,
    backend: model.backendDetail,
    complete,
    wallMs: previousMs + (performance.now() - started),
    items: inDatasetOrder(results),
    summary: summarize(results, methods),
  });
  const order = new Map(dataset.items.map((it, k) => [it.id, k]));
  const inDatasetOrder = (list: ItemResult[]) => [...list].sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  const progress = progressLine();
  let warned = 0;
  let interrupted = false;
  let computed = 0;
  console.error(`${methods.length} methods × ${items.length} items, ${model.manifest.modelId} on ${model.backendDetail}`);
  try {
    for (const [k, item] of items.entries()) {
      if (done.has(item.id)) continue;
      const label = `[${k + 1}/${items.length}]`;
      let result: ItemResult;
      try {
        result = await evaluateItem(model, item, methods, {
          baseline: {
            heta: { m: params.m, seed: params.seed, mask: params.mask, beta: params.beta, gamma: params.gamma, scaling: params.scaling ?? 'raw', ...params.sensitivity },
            igSteps: params.igSteps,
            igGrid: params.igGrid,
            contextCiteSamples: params.contextCiteSamples,
            contextCiteLambda: params.contextCiteLambda,
            contextCiteSeed: deriveSeed(params.seed, SEED_SALT.contextCite),
            maxBatch,
          },
          metrics: { draws: params.draws, seed: deriveSeed(params.seed, SEED_SALT.softMasks) },
          signal: controller.signal,
          onlyCorrect: params.onlyCorrect,
          onProgress: (stage, detail, d, total) => progress.update(`${label} ${stage}`, d, total, detail),
        });
      } catch (e) {
        if (controller.signal.aborted) throw e;
        const message = e instanceof Error ? e.message : String(e);
        result = { id: item.id, prompt: item.prompt, error: message } as ItemResult;
        console.error(`\n${label} ${item.id} failed: ${message}`);
      }
      progress.done();
      results.push(result);
      warned += result.warnings?.length ? 1 : 0;
      computed++;
      if (computed === 1 && !result.error && !result.skipped) {
        const left = items.filter((it) => !done.has(it.id)).length - 1;
        if (left > 0) console.error(`estimated cost: about ${formatSeconds(result.ms / 1000)} per item, ${formatSeconds((left * result.ms) / 1000)} for the ${left} items left`);
      }
      if (result.skipped) console.error(`${label} ${item.id}: left out, ${result.skipped}`);
      else if (!result.error) {
        const t = result.target;
        console.error(`${label} ${item.id}: ${result.tokens.length} tokens, target ${JSON.stringify(t.tokenText)} p=${t.probability.toPrecision(3)}, ${(result.ms / 1000).toFixed(1)} s`);
      }
      if (values.json) await writeAtomic(values.json, file(false));
    }
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    interrupted = true;
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
    await model.release();
  }
  const finished = new Set(results.map((it) => it.id));
  const out = file(!interrupted && items.every((it) => finished.has(it.id)));
  if (values.json) await writeAtomic(values.json, out);
  if (warned) console.error(`${warned} item(s) with warnings (e.g. multi-token targets scored on their first token); see "warnings" in the JSON`);
  console.log(formatSummary(out.summary));
  console.log(`\nwall time ${(out.wallMs / 1000).toFixed(1)} s${values.json ? `; per-item results in ${values.json}` : ''}`);
  if (interrupted) {
    console.error(`interrupted after ${items.filter((it) => finished.has(it.id)).length} of ${items.length} items${values.json ? `; continue with the same command and --resume` : ''}`);
    process.exitCode = 130;
  }
}
