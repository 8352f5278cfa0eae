// The shareable view in the URL hash: #model=…&backend=…&prompt=…&target=…&beta=…&gamma=…&m=…&seed=…&adaptive=1&gen=…
// target: "next" (top prediction), "next:<token id>", "pos:<position>", "span:<start>-<end>" (tokens start … end − 1
// of the text), "cont:<text>" (a typed continuation), or one of the first three with ",vs:<foil id>" or ",vst:<foil text>"
// (a contrast).

import { type BackendPreference, type TargetRequest, type TokenTarget, inTextTokens, describeLimit, withinLimit, type LimitName, GRANULARITIES, type Granularity } from '../engine';
import type { ScaleMode } from '../charts/scale';
import type { ComponentKey } from '../store/viewSlice';

const COMPONENTS: ComponentKey[] = ['score', 'M', 'S', 'I'];
const SCALE_MODES: ScaleMode[] = ['linear', 'sqrt', 'log', 'rank'];

/** A link value from a fixed list, or a problem named for the page. */
function oneOf<T extends string>(q: URLSearchParams, key: string, allowed: readonly T[], problems: string[]): T | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  problems.push(`${key}=${v.slice(0, 24)}: expected one of ${allowed.join(', ')}`);
  return undefined;
}

export interface LinkState {
  model?: string;
  backend?: BackendPreference;
  prompt?: string;
  target?: TargetRequest;
  beta?: number;
  gamma?: number;
  m?: number;
  seed?: number;
  /** Adaptive probing (m is then the most probes per token). */
  adaptive?: boolean;
  /** S and I normalized over the context before β and γ (absent: raw). */
  scaling?: 'raw' | 'normalized';
  /** How the heatmap is shown: the value, per token / word / …, the colour scale; the inspected token; the layer graph's threshold. */
  component?: ComponentKey;
  granularity?: Granularity;
  scaleMode?: ScaleMode;
  selected?: number;
  edgeThreshold?: number;
  /** Generate this many tokens after the prompt and explain each (the matrix view). */
  generate?: number;
}

const BACKENDS: BackendPreference[] = ['auto', 'webgpu', 'wasm'];

/** A link's view, and what in it was not used (out of range or unreadable), in words for the page. */
export interface ReadLink {
  link: LinkState;
  problems: string[];
}

function parseTokenTarget(v: string): TokenTarget | undefined {
  if (v === 'next') return { kind: 'next' };
  const m = /^(next|pos):(\d+)$/.exec(v);
  if (!m) return undefined;
  return m[1] === 'next' ? { kind: 'next', tokenId: Number(m[2]) } : { kind: 'position', position: Number(m[2]) };
}

export function parseTarget(v: string | null): TargetRequest | undefined {
  if (v === null) return undefined;
  if (v.startsWith('cont:')) return v.length > 5 ? { kind: 'span', continuation: v.slice(5) } : undefined;
  const span = /^span:(\d+)-(\d+)$/.exec(v);
  if (span) return { kind: 'span', start: Number(span[1]), end: Number(span[2]) };
  const contrast = /^(.*?),vs(t?):(.+)$/s.exec(v);
  if (contrast) {
    const target = parseTokenTarget(contrast[1]);
    if (!target) return undefined;
    if (contrast[2] === 't') return { kind: 'contrast', target, foilText: contrast[3] };
    return /^\d+$/.test(contrast[3]) ? { kind: 'contrast', target, foilId: Number(contrast[3]) } : undefined;
  }
  return parseTokenTarget(v);
}

function formatTokenTarget(t: TokenTarget): string {
  if (t.kind === 'position') return `pos:${t.position}`;
  return t.tokenId === undefined ? 'next' : `next:${t.tokenId}`;
}

export function formatTarget(t: TargetRequest): string {
  if (t.kind === 'contrast') return 'foilText' in t ? `${formatTokenTarget(t.target)},vst:${t.foilText}` : `${formatTokenTarget(t.target)},vs:${t.foilId}`;
  if (t.kind === 'span') return 'continuation' in t ? `cont:${t.continuation}` : `span:${t.start}-${t.end}`;
  return formatTokenTarget(t);
}

/** What each bounded link parameter is called on the page (the bounds are the engine's, as for the CLI). */
const PARAM_LABELS: Record<'beta' | 'gamma' | 'm' | 'seed' | 'generate', string> = { beta: 'β', gamma: 'γ', m: 'probes m', seed: 'seed', generate: 'generated tokens' };

/** The hash's view; values that are invalid or outside the engine's LIMITS are left out and named in `problems`. */
export function readLink(hash: string): ReadLink {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const bounded = (key: string, limit: keyof typeof PARAM_LABELS & LimitName): number | undefined => {
    const v = q.get(key);
    if (v === null || v.trim() === '') return undefined;
    const n = Number(v);
    if (withinLimit(limit, n)) return n;
    problems.push(`${key}=${v.length > 24 ? `${v.slice(0, 24)}…` : v}: ${PARAM_LABELS[limit]} must be ${describeLimit(limit)}`);
    return undefined;
  };
  const backend = q.get('backend');
  if (backend !== null && !BACKENDS.includes(backend as BackendPreference)) problems.push(`backend=${backend}: expected one of ${BACKENDS.join(', ')}`);
  let target = parseTarget(q.get('target'));
  const adaptive = q.get('adaptive');
  const scaling = q.get('scaling');
  if (scaling !== null && scaling !== 'raw' && scaling !== 'normalized') problems.push(`scaling=${scaling.slice(0, 24)}: expected raw or normalized`);
  if (adaptive !== null && adaptive !== '0' && adaptive !== '1') problems.push(`adaptive=${adaptive.slice(0, 24)}: expected 1 (adaptive probing) or 0 (fixed m)`);
  if (q.get('target') !== null && !target) problems.push(`target=${q.get('target')}: expected next, next:<token id>, pos:<position>, span:<start>-<end>, cont:<text> or one of the first three with ,vs:<foil id>`);
  const named = target ? inTextTokens(target) : null;
  if (named && [named.start, named.end - 1].some((p) => !withinLimit('targetPosition', p))) {
    problems.push(`target=${q.get('target')}: the target position must be ${describeLimit('targetPosition')}`);
    target = undefined;
  }
  const link: LinkState = {
    model: q.get('model') || undefined,
    backend: BACKENDS.includes(backend as BackendPreference) ? (backend as BackendPreference) : undefined,
    prompt: q.get('prompt') ?? undefined,
    target,
    beta: bounded('beta', 'beta'),
    gamma: bounded('gamma', 'gamma'),
    m: bounded('m', 'm'),
    seed: bounded('seed', 'seed'),
    adaptive: adaptive === '1' ? true : adaptive === '0' ? false : undefined,
    scaling: scaling === 'raw' || scaling === 'normalized' ? scaling : undefined,
    generate: bounded('gen', 'generate'),
    component: oneOf(q, 'view', COMPONENTS, problems),
    granularity: oneOf(q, 'per', GRANULARITIES, problems),
    scaleMode: oneOf(q, 'colour', SCALE_MODES, problems),
    selected: nonNegative(q, 'sel', problems),
    edgeThreshold: fraction(q, 'edges', problems),
  };
  for (const k of Object.keys(link) as (keyof LinkState)[]) if (link[k] === undefined) delete link[k];
  return { link, problems };
}

function nonNegative(q: URLSearchParams, key: string, problems: string[]): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (/^\d+$/.test(v) && withinLimit('targetPosition', Number(v) || 1)) return Number(v);
  problems.push(`${key}=${v.slice(0, 24)}: expected a token position`);
  return undefined;
}

function fraction(q: URLSearchParams, key: string, problems: string[]): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1) return n;
  problems.push(`${key}=${v.slice(0, 24)}: expected a number from 0 to 1 (the layer graph's edge threshold)`);
  return undefined;
}

export function parseLink(hash: string): LinkState {
  return readLink(hash).link;
}

export function formatLink(state: LinkState): string {
  const q = new URLSearchParams();
  if (state.model !== undefined) q.set('model', state.model);
  if (state.backend !== undefined) q.set('backend', state.backend);
  if (state.prompt !== undefined) q.set('prompt', state.prompt);
  if (state.target !== undefined) q.set('target', formatTarget(state.target));
  for (const k of ['beta', 'gamma', 'm', 'seed'] as const) if (state[k] !== undefined) q.set(k, String(state[k]));
  if (state.adaptive !== undefined) q.set('adaptive', state.adaptive ? '1' : '0');
  if (state.scaling !== undefined) q.set('scaling', state.scaling);
  if (state.generate !== undefined) q.set('gen', String(state.generate));
  if (state.component !== undefined) q.set('view', state.component);
  if (state.granularity !== undefined) q.set('per', state.granularity);
  if (state.scaleMode !== undefined) q.set('colour', state.scaleMode);
  if (state.selected !== undefined) q.set('sel', String(state.selected));
  if (state.edgeThreshold !== undefined) q.set('edges', String(state.edgeThreshold));
  return `#${q.toString()}`;
}

/** Merges `changes` into the page's hash without a navigation (no hashchange event). */
export function updateLocationHash(changes: Partial<LinkState>): void {
  const next = { ...parseLink(location.hash), ...changes };
  history.replaceState(null, '', `${location.pathname}${location.search}${formatLink(next)}`);
}
