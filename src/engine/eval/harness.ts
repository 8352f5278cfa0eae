// The evaluation harness: for each item, every method's scores from one shared AttributionContext, then
// every metric; per-item results (JSON-ready) and a method × metric summary with 95% intervals.

import { nonFiniteProblem } from '../attribution/finite';
import type { AttributionResult } from '../attribution/schema';
import type { AttributionModel } from '../model/attributionModel';
import { AttributionContext, type BaselineOptions } from '../baselines/context';
import type { AttributionMethod } from '../baselines/methods';
import { contextSuffZero, DEFAULT_METRIC_OPTIONS, faithfulness, type MetricOptions } from '../metrics/evaluate';
import { dsa, f1AtK, goldTokens, tokensInSpan } from '../metrics/segments';
import { meanCI, type MeanCI } from '../metrics/stats';
import { targetToken, type EvalItem } from './dataset';

export type MetricKey = 'softNC' | 'softNS' | 'aopcDeletion' | 'aopcInsertion' | 'dsa' | 'f1';

export interface MetricInfo {
  key: MetricKey;
  label: string;
  better: 'higher' | 'lower';
  /** Only on items with annotated segments/words (the curated format). */
  curatedOnly?: boolean;
}

export const METRICS: readonly MetricInfo[] = [
  { key: 'softNC', label: 'Soft-NC', better: 'higher' },
  { key: 'softNS', label: 'Soft-NS', better: 'higher' },
  { key: 'aopcDeletion', label: 'AOPC del', better: 'higher' },
  { key: 'aopcInsertion', label: 'AOPC ins', better: 'lower' },
  { key: 'dsa', label: 'DSA', better: 'higher', curatedOnly: true },
  { key: 'f1', label: 'F1@k', better: 'higher', curatedOnly: true },
];

export interface MethodItemResult {
  /** One score per context token. */
  scores: number[];
  /** Wall time of compute(); shared passes are charged to the first method that needs them. */
  ms: number;
  metrics: Record<MetricKey, number | null>;
  /** Drop in g at k = 10 … 100 %: deletion (top-k masked), insertion (only top-k kept). */
  deletion: number[];
  insertion: number[];
  softComp: number;
  softSuff: number;
}

export interface ItemResult {
  id: string;
  prompt: string;
  target: { text: string; tokenText: string; id: number; position: number; logprob: number; probability: number };
  warnings: string[];
  /** Context tokens (text) and, for curated items, the indices in each segment and the gold tokens. */
  tokens: string[];
  support?: number[];
  distractor?: number[];
  gold?: number[];
  suff0?: number;
  methods: Record<string, MethodItemResult>;
  diagnostics: Record<string, unknown>;
  passes: { forward: number; gradient: number; hetaGradient: number };
  ms: number;
  /** Set when the item failed (it is then left out of the summary). */
  error?: string;
  /** Set when the item was left out on purpose (`onlyCorrect`: the model does not predict the target). */
  skipped?: string;
}

export interface EvalOptions {
  baseline: Partial<BaselineOptions>;
  metrics: MetricOptions;
  signal?: AbortSignal;
  /** Score only items whose target is the model's top-1 prediction (explanations of a right answer). */
  onlyCorrect?: boolean;
  /** stage: a method id or 'metrics', with the context's own progress labels (e.g. 'heta hessian'). */
  onProgress?: (stage: string, detail: string, done: number, total: number) => void;
}

const indices = (flags: readonly boolean[]) => flags.flatMap((f, i) => (f ? [i] : []));

export async function evaluateItem(model: AttributionModel, item: EvalItem, methods: readonly AttributionMethod[], options: EvalOptions): Promise<ItemResult> {
  const started = performance.now();
  const { signal } = options;
  const target = targetToken(model.tokenizer, item.target);
  const warnings = target.warning ? [target.warning] : [];
  let stage = 'inspect';
  const ctx = await AttributionContext.create(model, item.prompt, { kind: 'next', tokenId: target.id }, {
    ...options.baseline,
    signal,
    onProgress: (label, done, total) => options.onProgress?.(stage, label, done, total),
  });
  const { p } = ctx;
  const tokens = ctx.tokens.slice(0, p);
  const head = {
    id: item.id,
    prompt: item.prompt,
    target: { text: item.target, tokenText: target.text, id: ctx.targetId, position: p, logprob: ctx.g, probability: Math.exp(ctx.g) },
    warnings,
    tokens: tokens.map((t) => t.text),
  };
  if (options.onlyCorrect) {
    const top = ctx.logP.reduce((best, v, id) => (v > ctx.logP[best] ? id : best), 0); // the inspect pass's row, no new pass
    if (top !== ctx.targetId) {
      return {
        ...head,
        methods: {},
        diagnostics: {},
        passes: { forward: ctx.passes.forward, gradient: ctx.passes.gradient, hetaGradient: 0 },
        ms: performance.now() - started,
        skipped: `the model predicts ${JSON.stringify(model.tokenizer.idToText(top))}, not the target`,
      };
    }
  }
  let support: boolean[] | undefined;
  let distractor: boolean[] | undefined;
  let gold: boolean[] | undefined;
  if (item.segments) {
    support = tokensInSpan(tokens, item.segments.support, p);
    distractor = tokensInSpan(tokens, item.segments.distractor, p);
    if (item.importantWords) gold = goldTokens(tokens, item.prompt, item.segments.support, item.importantWords, p);
    if (gold && !gold.some(Boolean)) warnings.push('no important word found in the support segment: F1@k is undefined');
  }
  const results: Record<string, MethodItemResult> = {};
  const metricOptions = { ...DEFAULT_METRIC_OPTIONS, ...options.metrics };
  for (const method of methods) {
    stage = method.id;
    options.onProgress?.(stage, 'scores', 0, 1);
    const t0 = performance.now();
    const scores = await method.compute(ctx);
    const ms = performance.now() - t0;
    signal?.throwIfAborted();
    const problem = nonFiniteProblem({ [method.label]: scores });
    if (problem) throw new Error(problem); // the item fails (and is left out of the summary): never ranked
    stage = `${method.id} metrics`;
    options.onProgress?.(stage, 'passes', 0, 1);
    const f = await faithfulness(ctx, scores, metricOptions);
    signal?.throwIfAborted();
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    results[method.id] = {
      scores: Array.from(scores),
      ms,
      metrics: {
        softNC: finite(f.softNC),
        softNS: finite(f.softNS),
        aopcDeletion: finite(f.aopcDeletion),
        aopcInsertion: finite(f.aopcInsertion),
        dsa: support && distractor ? finite(dsa(scores, support, distractor)) : null,
        f1: gold ? finite(f1AtK(scores, gold).f1) : null,
      },
      deletion: f.deletion,
      insertion: f.insertion,
      softComp: f.softComp,
      softSuff: f.softSuff,
    };
  }
  const hetaResult = await ctx.peek<AttributionResult>('heta');
  return {
    ...head,
    ...(support ? { support: indices(support) } : {}),
    ...(distractor ? { distractor: indices(distractor) } : {}),
    ...(gold ? { gold: indices(gold) } : {}),
    ...(methods.length > 0 ? { suff0: await contextSuffZero(ctx) } : {}),
    methods: results,
    diagnostics: ctx.diagnostics,
    passes: { forward: ctx.passes.forward, gradient: ctx.passes.gradient, hetaGradient: hetaResult?.passes?.gradient ?? 0 },
    ms: performance.now() - started,
  };
}

export interface SummaryCell extends MeanCI {}

export interface Summary {
  items: number;
  failed: number;
  /** Items left out on purpose (`onlyCorrect`). */
  skipped: number;
  methods: { id: string; label: string; metrics: Partial<Record<MetricKey, SummaryCell>>; seconds: SummaryCell }[];
  /** Paired differences HETA − method per metric (only when 'heta' was run), items where both are defined. */
  pairedVsHeta: { id: string; label: string; metrics: Partial<Record<MetricKey, SummaryCell>> }[];
}

export function summarize(items: readonly ItemResult[], methods: readonly Pick<AttributionMethod, 'id' | 'label'>[]): Summary {
  const ok = items.filter((it) => !it.error && !it.skipped);
  const present = (key: MetricKey) => ok.some((it) => Object.values(it.methods).some((m) => m.metrics[key] !== null));
  const keys = METRICS.map((m) => m.key).filter(present);
  const value = (it: ItemResult, id: string, key: MetricKey) => it.methods[id]?.metrics[key] ?? NaN;
  const rows = methods.map((m) => ({
    id: m.id,
    label: m.label,
    metrics: Object.fromEntries(keys.map((k) => [k, meanCI(ok.map((it) => value(it, m.id, k)))])),
    seconds: meanCI(ok.map((it) => (it.methods[m.id] ? it.methods[m.id].ms / 1000 : NaN))),
  }));
  const hasHeta = methods.some((m) => m.id === 'heta');
  const paired = hasHeta
    ? methods
        .filter((m) => m.id !== 'heta')
        .map((m) => ({
          id: m.id,
          label: m.label,
          metrics: Object.fromEntries(keys.map((k) => [k, meanCI(ok.map((it) => value(it, 'heta', k) - value(it, m.id, k)))])),
        }))
    : [];
  const skipped = items.filter((it) => !it.error && it.skipped).length;
  return { items: ok.length, failed: items.length - ok.length - skipped, skipped, methods: rows, pairedVsHeta: paired };
}

function cell(c: SummaryCell | undefined, digits = 3): string {
  if (!c || c.n === 0) return '—';
  if (!Number.isFinite(c.half)) return c.mean.toFixed(digits);
  return `${c.mean.toFixed(digits)} ± ${c.half.toFixed(digits)}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The method × metric table (mean ± 95% t-interval half-width) and, with HETA, the paired differences. */
export function formatSummary(summary: Summary): string {
  const keys = METRICS.filter((m) => summary.methods.some((r) => r.metrics[m.key]));
  const arrow = (m: MetricInfo) => `${m.label} ${m.better === 'higher' ? '↑' : '↓'}`;
  const out = [
    table(
      ['method', ...keys.map(arrow), 'time s'],
      summary.methods.map((r) => [r.label, ...keys.map((k) => cell(r.metrics[k.key])), cell(r.seconds, 2)]),
    ),
  ];
  if (summary.pairedVsHeta.length > 0) {
    const mark = (m: MetricInfo, c: SummaryCell | undefined) => {
      if (!c || !Number.isFinite(c.lo)) return cell(c);
      const wins = m.better === 'higher' ? c.lo > 0 : c.hi < 0;
      const loses = m.better === 'higher' ? c.hi < 0 : c.lo > 0;
      return `${cell(c)}${wins ? ' +' : loses ? ' −' : '  '}`;
    };
    out.push(
      '',
      'HETA − method, paired per item (+ HETA better, − HETA worse: 95% interval excludes 0)',
      table(['vs', ...keys.map(arrow)], summary.pairedVsHeta.map((r) => [r.label, ...keys.map((k) => mark(k, r.metrics[k.key]))])),
    );
  }
  const leftOut = summary.skipped ? `, ${summary.skipped} left out (the model does not predict the target)` : '';
  out.push('', `${summary.items} items${summary.failed ? `, ${summary.failed} failed` : ''}${leftOut}; mean ± half-width of the 95% Student-t interval`);
  return out.join('\n');
}

/** A seed for one use (`salt`) of a user seed, so that HETA's probes, ContextCite's masks and the soft masks are independent streams. */
export function deriveSeed(seed: number, salt: number): number {
  return (Math.imul((seed ^ salt) >>> 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
}
export const SEED_SALT = { contextCite: 0x243f6a88, softMasks: 0x85a308d3 } as const;
