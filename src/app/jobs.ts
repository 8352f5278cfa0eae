// The one job controller of the app: the run, the generation and the comparison each become a job here.
// One job at a time from the UI: a new job stops the one before it, which reports "cancelled" unless the new
// one is of its own kind (then it is stale: the new job owns its status, and its late events are dropped).
// The worker's session queues the calls themselves; this keeps the page's state about them consistent.

import { CancelledError, type Job } from './engine';

export type JobKind = 'run' | 'generation' | 'compare';

export interface JobHooks<T> {
  finished(value: T): void;
  cancelled(): void;
  failed(error: unknown): void;
}

interface Entry {
  kind: JobKind;
  /** Superseded by a job of its kind: nothing of it reaches the store any more. */
  stale: boolean;
  cancelRequested: boolean;
  job: Job<unknown> | null;
  settled: Promise<void>;
}

export interface JobController {
  /**
   * Starts a job once the current one has stopped. `begin` sends the call (or returns null when it decides not
   * to, having said why in the store); `live()` is false once the job is stale: event handlers check it.
   */
  start<T>(kind: JobKind, begin: (live: () => boolean) => Job<T> | null, hooks: JobHooks<T>): Promise<void>;
  /** Cancels the current job (it reports cancelled) and waits until it has ended. */
  stop(): Promise<void>;
}

export function createJobController(): JobController {
  let latest: Entry | null = null;

  function cancel(entry: Entry): void {
    entry.cancelRequested = true;
    entry.job?.cancel();
  }

  async function start<T>(kind: JobKind, begin: (live: () => boolean) => Job<T> | null, hooks: JobHooks<T>): Promise<void> {
    let settle = () => {};
    const entry: Entry = { kind, stale: false, cancelRequested: false, job: null, settled: new Promise((res) => (settle = res)) };
    const previous = latest;
    latest = entry;
    try {
      if (previous) {
        if (previous.kind === kind) previous.stale = true;
        cancel(previous);
        await previous.settled;
      }
      if (entry.cancelRequested) {
        if (!entry.stale) hooks.cancelled();
        return;
      }
      const job = begin(() => !entry.stale);
      if (!job) return;
      entry.job = job as Job<unknown>;
      if (entry.cancelRequested) job.cancel();
      let value: T;
      try {
        value = await job.result;
      } catch (e) {
        if (entry.stale) return;
        if (e instanceof CancelledError) hooks.cancelled();
        else hooks.failed(e);
        return;
      }
      if (!entry.stale) hooks.finished(value);
    } finally {
      if (latest === entry) latest = null;
      settle();
    }
  }

  return {
    start,
    async stop() {
      const entry = latest;
      if (!entry) return;
      cancel(entry);
      await entry.settled;
    },
  };
}
