// Where a Hugging Face model lives: a hub base URL, an `org/name` repository and a revision, and how
// its files are addressed (`<base>/<org>/<name>/resolve/<revision>/<file>`, the hub's standard layout,
// which mirrors and self-hosted copies follow too). Pure: used by the worker and the CLI alike.

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const DEFAULT_REVISION = 'main';
/** Model specs in the app's address field and the CLI: `hf:org/name` or `hf:org/name@revision`. */
export const HUB_SPEC_PREFIX = 'hf:';

export interface HubRef {
  /** Base URL without a trailing slash, e.g. https://huggingface.co */
  hubUrl: string;
  /** `org/name` (or a bare `name` for the hub's few unscoped legacy repositories). */
  repo: string;
  revision: string;
}

export class HubRefError extends Error {
  override name = 'HubRefError';
}

// The hub's own rules for repository ids: letters, digits, '-', '_', '.'; no '--' or '..'; no leading/trailing '-' or '.'.
const REPO_PART = /^(?!.*(--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;

function checkRepo(repo: string): string {
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => REPO_PART.test(p))) {
    throw new HubRefError(`'${repo}' is not a model id: expected org/name (letters, digits, '-', '_', '.'), e.g. HuggingFaceTB/SmolLM2-135M`);
  }
  return repo;
}

function checkRevision(revision: string): string {
  // Branches, tags and commit hashes; refs/pr/N is how the hub names pull-request revisions.
  if (!/^[A-Za-z0-9._\-/]+$/.test(revision) || revision.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubRefError(`'${revision}' is not a revision: use a branch, tag or commit hash`);
  }
  return revision;
}

export function normalizeHubUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new HubRefError(`'${url}' is not a hub URL: expected something like ${DEFAULT_HUB_URL}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new HubRefError(`'${url}' is not an http(s) URL`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

export function isHubSpec(spec: string): boolean {
  return spec.startsWith(HUB_SPEC_PREFIX);
}

/** `hf:org/name[@revision]` → HubRef on `hubUrl`. */
export function parseHubSpec(spec: string, hubUrl = DEFAULT_HUB_URL): HubRef {
  if (!isHubSpec(spec)) throw new HubRefError(`'${spec}' is not a model id spec (expected ${HUB_SPEC_PREFIX}org/name[@revision])`);
  const body = spec.slice(HUB_SPEC_PREFIX.length).trim();
  const at = body.indexOf('@');
  const repo = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? DEFAULT_REVISION : body.slice(at + 1);
  return { hubUrl: normalizeHubUrl(hubUrl), repo: checkRepo(repo), revision: checkRevision(revision || DEFAULT_REVISION) };
}

export function formatHubSpec(ref: Pick<HubRef, 'repo' | 'revision'>): string {
  return `${HUB_SPEC_PREFIX}${ref.repo}${ref.revision === DEFAULT_REVISION ? '' : `@${ref.revision}`}`;
}

/**
 * What a user types into the model field: `org/name`, `hf:org/name@rev`, or a URL of the repository
 * on a hub (`<base>/org/name`, `<base>/org/name/tree/<rev>`, `<base>/org/name/resolve/<rev>/<file>`).
 * `revision` (the separate revision field) wins over none in the text; a URL brings its own hub base.
 */
export function parseHubInput(text: string, options: { hubUrl?: string; revision?: string } = {}): HubRef {
  const input = text.trim();
  const fallbackRevision = options.revision?.trim() || DEFAULT_REVISION;
  if (/^https?:\/\//i.test(input)) {
    const url = new URL(input);
    const m = /^(.*?)\/([^/]+\/[^/]+)\/(?:resolve|tree|blob)\/([^/]+)(?:\/.*)?$/.exec(url.pathname) ?? /^(.*?)\/([^/]+\/[^/]+)\/?$/.exec(url.pathname);
    if (!m) throw new HubRefError(`'${input}' does not look like a model on a hub: expected <hub>/<org>/<name>[/resolve/<revision>/…]`);
    const [, basePath, repo, revision] = m;
    return {
      hubUrl: normalizeHubUrl(`${url.origin}${basePath}`),
      repo: checkRepo(repo!),
      revision: checkRevision(revision ? decodeURIComponent(revision) : fallbackRevision),
    };
  }
  const spec = isHubSpec(input) ? input : `${HUB_SPEC_PREFIX}${input}`;
  const ref = parseHubSpec(spec, options.hubUrl ?? DEFAULT_HUB_URL);
  return spec.includes('@') ? ref : { ...ref, revision: checkRevision(fallbackRevision) };
}

/** `<base>/<org>/<name>/resolve/<revision>/<file>` (revision and file name escaped, '/' in a revision kept as %2F like the hub). */
export function hubFileUrl(ref: HubRef, file: string): string {
  return `${ref.hubUrl}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** A short human name: `org/name` or `org/name@rev`, plus the host when it is not the default hub. */
export function describeHubRef(ref: HubRef): string {
  const name = `${ref.repo}${ref.revision === DEFAULT_REVISION ? '' : `@${ref.revision}`}`;
  return ref.hubUrl === DEFAULT_HUB_URL ? name : `${name} on ${ref.hubUrl}`;
}
