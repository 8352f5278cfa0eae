// Reading a saved attribution result (the app's "Open result…", any version this build wrote): the shape
// the views rely on is checked, so a damaged or foreign file gets a message naming what is wrong instead
// of a broken or NaN-filled view.

import { isObject } from '../architectures/configFields';
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, type AttributionResult, type TargetRequest } from './schema';

export class ResultFileError extends Error {
  override name = 'ResultFileError';
}

/** Parses and checks a result file's text; throws a ResultFileError naming the first problem. */
export function parseResultFile(text: string, name = 'the file'): AttributionResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(`${name} is not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new ResultFileError(`${name} is not a usable HETA result: ${what}`);
  };
  if (!isObject(json)) return bad('it is not a JSON object');
  if (json.schema !== RESULT_SCHEMA) return bad(`its schema is ${JSON.stringify(json.schema ?? null)}, not "${RESULT_SCHEMA}" (a generation or eval file opens elsewhere)`);
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > RESULT_SCHEMA_VERSION) {
    return bad(`its version ${JSON.stringify(version ?? null)} is not one this build reads (1 … ${RESULT_SCHEMA_VERSION}); a newer heta wrote it`);
  }
  if (typeof json.prompt !== 'string') bad('"prompt" is not text');
  const tokens = json.tokens;
  if (!Array.isArray(tokens) || tokens.length === 0) return bad('"tokens" is not a non-empty list');
  tokens.forEach((t, i) => {
    if (!isObject(t) || typeof t.text !== 'string' || !Number.isInteger(t.id) || !Number.isInteger(t.start) || !Number.isInteger(t.end) || typeof t.special !== 'boolean') {
      bad(`token ${i} lacks an integer id, start and end, a text and a special flag`);
    }
  });
  const target = json.target;
  if (!isObject(target) || !Number.isInteger(target.position) || typeof target.text !== 'string' || !Number.isInteger(target.id)) return bad('"target" lacks its position, id or text');
  const p = target.position as number;
  if (p < 1 || p > tokens.length) bad(`the target position ${p} is outside the ${tokens.length} tokens`);
  const c = json.components;
  if (!isObject(c)) return bad('"components" is missing');
  const finiteList = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.length !== p) bad(`${what} must hold ${p} numbers (one per context token)`);
    const k = (v as unknown[]).findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (k >= 0) bad(`${what}[${k}] is ${JSON.stringify((v as unknown[])[k])}, not a finite number`);
  };
  for (const key of ['M', 'S', 'I', 'S_stderr'] as const) finiteList(c[key], `components.${key}`);
  finiteList(json.scores, 'scores');
  if (c.logOddsShift !== undefined) finiteList(c.logOddsShift, 'components.logOddsShift');
  if (!Array.isArray(c.M_layers) || !Array.isArray(c.flow) || !Array.isArray(c.S_probes)) bad('components.M_layers, flow or S_probes is missing');
  if (!isObject(json.params) || !isObject(json.model) || !isObject(json.backend)) bad('"params", "model" or "backend" is missing');
  return json as unknown as AttributionResult;
}

/** The request that produced a result (what "run again" and a link should ask for). */
export function requestOf(r: AttributionResult): TargetRequest {
  const t = r.target;
  const token: TargetRequest = t.position < r.tokens.length && t.kind !== 'next' ? { kind: 'position', position: t.position } : { kind: 'next', tokenId: t.id };
  if (t.kind === 'contrast' && t.foil) return { kind: 'contrast', target: token.kind === 'position' ? token : { kind: 'next', tokenId: t.id }, foilId: t.foil.id };
  if (t.kind === 'span' && t.span) return t.span.continuation !== null ? { kind: 'span', continuation: t.span.continuation } : { kind: 'span', start: t.position, end: t.span.end };
  return token;
}
