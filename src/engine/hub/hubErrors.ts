// Failures of a hub download, each with a message that says what happened and what to do. `kind`
// lets callers (UI, CLI, tests) react without parsing text.

export type HubErrorKind = 'unauthorized' | 'not-found' | 'network' | 'interrupted' | 'http';

export class HubError extends Error {
  override name = 'HubError';
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An HTTP answer that is not a success. */
export function httpError(status: number, url: string, file: string): HubError {
  if (status === 401 || status === 403) {
    return new HubError(
      'unauthorized',
      `${file}: HTTP ${status} from ${url}. The model is gated or private (the hub also answers 401 for a model id that does not exist): check the id, and for a gated model accept its license on the hub and download it with the CLI and a token (HF_TOKEN), then open the folder here`,
      url,
    );
  }
  if (status === 404) {
    return new HubError('not-found', `${file}: not found (HTTP 404) at ${url}. Check the model id and the revision`, url);
  }
  return new HubError('http', `${file}: the server answered HTTP ${status} at ${url}`, url);
}

/** fetch() itself rejected: no answer at all. A browser cannot tell a refused CORS request from a dead network. */
export function networkError(url: string, file: string, cause: unknown): HubError {
  const detail = cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ''}` : String(cause);
  return new HubError(
    'network',
    `${file}: could not reach ${url} (${detail}). Either the network is down or the server does not allow cross-origin downloads (CORS: it must send Access-Control-Allow-Origin)`,
    url,
    { cause },
  );
}

/** The body stopped early: the connection dropped or the server cut the file short. */
export function interruptedError(url: string, file: string, loaded: number, expected: number | null, cause?: unknown): HubError {
  const of = expected === null ? '' : ` of ${expected}`;
  return new HubError('interrupted', `${file}: the download was interrupted after ${loaded}${of} bytes (${url}). Try again`, url, { cause });
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}
