// The shareable view in the URL hash: #model=…&backend=…&prompt=…&target=…&beta=…&gamma=…&m=…&seed=…&gen=…
// target: "next" (top prediction), "next:<token id>" or "pos:<position>".

import { MAX_GENERATED, type BackendPreference, type TargetRequest } from '../../worker/protocol';

export interface LinkState {
  model?: string;
  backend?: BackendPreference;
  prompt?: string;
  target?: TargetRequest;
  beta?: number;
  gamma?: number;
  m?: number;
  seed?: number;
  /** Generate this many tokens after the prompt and explain each (the matrix view). */
  generate?: number;
}

const BACKENDS: BackendPreference[] = ['auto', 'webgpu', 'wasm'];

function num(v: string | null, ok: (n: number) => boolean): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && ok(n) ? n : undefined;
}

export function parseTarget(v: string | null): TargetRequest | undefined {
  if (v === null) return undefined;
  if (v === 'next') return { kind: 'next' };
  const m = /^(next|pos):(\d+)$/.exec(v);
  if (!m) return undefined;
  return m[1] === 'next' ? { kind: 'next', tokenId: Number(m[2]) } : { kind: 'position', position: Number(m[2]) };
}

export function formatTarget(t: TargetRequest): string {
  if (t.kind === 'position') return `pos:${t.position}`;
  return t.tokenId === undefined ? 'next' : `next:${t.tokenId}`;
}

export function parseLink(hash: string): LinkState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const backend = q.get('backend');
  const out: LinkState = {
    model: q.get('model') || undefined,
    backend: BACKENDS.includes(backend as BackendPreference) ? (backend as BackendPreference) : undefined,
    prompt: q.get('prompt') ?? undefined,
    target: parseTarget(q.get('target')),
    beta: num(q.get('beta'), () => true),
    gamma: num(q.get('gamma'), () => true),
    m: num(q.get('m'), (n) => Number.isInteger(n) && n >= 1),
    seed: num(q.get('seed'), Number.isInteger),
    generate: num(q.get('gen'), (n) => Number.isInteger(n) && n >= 1 && n <= MAX_GENERATED),
  };
  for (const k of Object.keys(out) as (keyof LinkState)[]) if (out[k] === undefined) delete out[k];
  return out;
}

export function formatLink(state: LinkState): string {
  const q = new URLSearchParams();
  if (state.model !== undefined) q.set('model', state.model);
  if (state.backend !== undefined) q.set('backend', state.backend);
  if (state.prompt !== undefined) q.set('prompt', state.prompt);
  if (state.target !== undefined) q.set('target', formatTarget(state.target));
  for (const k of ['beta', 'gamma', 'm', 'seed'] as const) if (state[k] !== undefined) q.set(k, String(state[k]));
  if (state.generate !== undefined) q.set('gen', String(state.generate));
  return `#${q.toString()}`;
}

/** Merges `changes` into the page's hash without a navigation (no hashchange event). */
export function updateLocationHash(changes: Partial<LinkState>): void {
  const next = { ...parseLink(location.hash), ...changes };
  history.replaceState(null, '', `${location.pathname}${location.search}${formatLink(next)}`);
}
