// The one GraphSession wrapper both runtimes use: serialized runs, feed and output name checks, host ↔ ORT
// conversion, resident inputs. What differs per runtime comes in as options, so this file imports no ORT.

import { checkFeeds, checkNames, fromOrt, toOrt, type OrtTensorCtor, type OrtTensorLike } from './convert';
import { serializer } from './serial';
import type { Backend, FeedTensor, GraphSession, HostTensor, ResidentTensor } from './types';

/** The part of an ORT InferenceSession used here. */
export interface OrtSessionLike<T> {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, T>, outputs: readonly string[]): Promise<Record<string, T>>;
  release(): Promise<void>;
}

/** onnxruntime's description of one graph input or output. */
type OrtValueMetadata = { name: string; isTensor: boolean; shape?: readonly (number | string)[] };

function declaredShapes(session: OrtSessionLike<unknown>): Record<string, readonly (number | string)[]> {
  const shapes: Record<string, readonly (number | string)[]> = {};
  for (const m of [...(session.inputMetadata ?? []), ...(session.outputMetadata ?? [])]) if (m.isTensor && m.shape) shapes[m.name] = m.shape;
  return shapes;
}

export interface WrapOptions<T extends OrtTensorLike> {
  backend: Backend;
  Tensor: OrtTensorCtor<T>;
  /** Before each run (the web runtime yields to the event loop there, so a cancel message is read). */
  beforeRun?: () => Promise<void>;
  /** Copies an output into host memory (default: fromOrt); the web runtime downloads, copies and disposes. */
  readOutput?: (name: string, t: T) => Promise<HostTensor>;
  /** Makes the ORT tensor of a resident input (default: the host tensor wrapped, kept across runs). */
  place?: (t: HostTensor<'float32'>) => Promise<{ tensor: T; dispose: () => void }>;
}

export function wrapOrtSession<T extends OrtTensorLike>(session: OrtSessionLike<T>, options: WrapOptions<T>): GraphSession {
  const one = serializer();
  let released = false;
  // Resident tensors are only ever fed to the session that made them.
  const residents = new WeakMap<ResidentTensor, T>();
  const ortFeed = (name: string, t: FeedTensor): T => {
    if (!('resident' in t)) return toOrt(options.Tensor, name, t);
    const tensor = residents.get(t);
    if (!tensor) throw new Error(`input '${name}': a resident tensor of another session or already released`);
    return tensor;
  };
  return {
    backend: options.backend,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    declaredShapes: declaredShapes(session),
    run(feeds: Record<string, FeedTensor>, outputs?: readonly string[]) {
      return one(async () => {
        await options.beforeRun?.();
        if (released) throw new Error('session was released');
        checkFeeds(feeds, session.inputNames);
        const names = outputs ?? session.outputNames;
        checkNames('output', names, session.outputNames);
        const ortFeeds: Record<string, T> = {};
        for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = ortFeed(name, t);
        const result = await session.run(ortFeeds, names);
        const out: Record<string, HostTensor> = {};
        for (const name of names) out[name] = options.readOutput ? await options.readOutput(name, result[name]!) : fromOrt(name, result[name]!);
        return out;
      });
    },
    async resident(t: HostTensor<'float32'>): Promise<ResidentTensor> {
      const placed = options.place ? await options.place(t) : { tensor: toOrt(options.Tensor, 'resident', t), dispose: () => {} };
      const handle: ResidentTensor = {
        resident: true,
        dims: [...t.dims],
        release: () => {
          if (residents.delete(handle)) placed.dispose();
        },
      };
      residents.set(handle, placed.tensor);
      return handle;
    },
    release() {
      return one(async () => {
        if (released) return;
        released = true;
        await session.release();
      });
    },
  };
}
