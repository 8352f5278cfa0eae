// Request → reply between a harness page and its module worker (the ORT and engine harnesses): calls
// matched by id, errors carried back as messages, and a crashed worker failing every call in flight (the
// next call starts a new worker).

export type HarnessCall<Req> = { kind: 'call'; id: number; request: Req };
export type HarnessReply<Res> =
  /** Sent once the worker's modules are loaded. */
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: Res }
  | { kind: 'error'; id: number; message: string };

/** Worker side: answers every call with `handle`'s result or error, after saying it is ready. */
export function serveHarnessCalls<Req, Res>(handle: (request: Req) => Promise<Res>): void {
  const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
  const post = (reply: HarnessReply<Res>) => scope.postMessage(reply);
  scope.onmessage = (ev: MessageEvent<HarnessCall<Req>>) => {
    const { id, request } = ev.data;
    handle(request).then(
      (result) => post({ kind: 'result', id, result }),
      (e: unknown) => post({ kind: 'error', id, message: e instanceof Error ? e.message : String(e) }),
    );
  };
  post({ kind: 'ready' });
}

export interface HarnessWorker<Req, Res> {
  call(request: Req): Promise<Res>;
  /** Starts the worker now (calls start it when needed). */
  start(): void;
}

/**
 * Page side. `create` must hold the literal `new Worker(new URL(…, import.meta.url))` so that Vite bundles
 * the worker in a production build; `name` prefixes the crash message; the hooks report the worker's state.
 */
export function harnessWorker<Req, Res>(create: () => Worker, name: string, hooks: { onReady?: () => void; onCrash?: (message: string) => void } = {}): HarnessWorker<Req, Res> {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Res) => void; reject: (e: Error) => void }>();
  const get = (): Worker => {
    if (worker) return worker;
    const w = create();
    w.onmessage = (ev: MessageEvent<HarnessReply<Res>>) => {
      const msg = ev.data;
      if (msg.kind === 'ready') {
        hooks.onReady?.();
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.kind === 'result') p.resolve(msg.result);
      else p.reject(new Error(msg.message));
    };
    w.onerror = (ev: ErrorEvent) => {
      // The worker script failed (load error or an uncaught exception).
      const err = new Error(`${name} worker error: ${ev.message || 'failed to load the worker script'}`);
      hooks.onCrash?.(err.message);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      worker?.terminate();
      worker = undefined;
    };
    worker = w;
    return w;
  };
  return {
    call: (request) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        get().postMessage({ kind: 'call', id, request } satisfies HarnessCall<Req>);
      }),
    start: () => void get(),
  };
}
