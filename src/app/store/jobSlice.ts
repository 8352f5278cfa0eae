// The lifecycle every job of the app shares (the run, the generation, the comparison): a status, its
// progress and its error, and the transitions that report on a job or end it. Each slice gets them from
// `jobLifecycle(name)` under its own names (runStatus, generationProgress, compareFailed, …) and adds what
// is its own (results, rows, a queued or confirming state).

/** State and transitions of job `N`. */
export type JobLifecycle<N extends string, Status extends string, Progress> = Record<`${N}Status`, Status> &
  Record<`${N}Progress`, Progress | null> &
  Record<`${N}Error`, string | null> & {
    [K in `${N}Progressed`]: (progress: Progress) => void;
  } & { [K in `${N}Finished` | `${N}Cancelled`]: () => void } & { [K in `${N}Failed`]: (message: string) => void };

type JobStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** The fields of a job that starts now (status `status`, no progress, no error), to merge into a slice's started state. */
export function jobStarted<N extends string, Status extends string>(name: N, status: Status): Record<string, unknown> {
  return { [`${name}Status`]: status, [`${name}Progress`]: null, [`${name}Error`]: null };
}

/** Job `name`'s fields (idle) and transitions for a slice creator's `set`. */
export function jobLifecycle<N extends string, Status extends string, Progress>(
  name: N,
  set: (partial: Record<string, unknown>) => void,
): JobLifecycle<N, Status | JobStatus, Progress> {
  const ended = (status: JobStatus, extra: Record<string, unknown> = {}) => set({ [`${name}Status`]: status, [`${name}Progress`]: null, ...extra });
  return {
    [`${name}Status`]: 'idle',
    [`${name}Progress`]: null,
    [`${name}Error`]: null,
    [`${name}Progressed`]: (progress: Progress) => set({ [`${name}Progress`]: progress }),
    [`${name}Finished`]: () => ended('done'),
    [`${name}Cancelled`]: () => ended('cancelled'),
    [`${name}Failed`]: (message: string) => ended('error', { [`${name}Error`]: message }),
  } as JobLifecycle<N, Status | JobStatus, Progress>;
}
