// What the model address field can hold, shared by the main-thread client and the worker: a bundle URL,
// a hub model `hf:org/name[@revision]`, or `local:<folder>` (a folder compiled earlier and stored in
// this browser). Stored bundles are keyed by source and quantization.

import { isHubSpec, type HubRef } from '../engine/hub/hubRef';
import type { QuantScheme } from '../engine/quant/quantize';

export const LOCAL_SPEC_PREFIX = 'local:';

export type ModelSpecKind = 'bundle' | 'hub' | 'local';

export function specKind(spec: string): ModelSpecKind {
  if (isHubSpec(spec)) return 'hub';
  if (spec.startsWith(LOCAL_SPEC_PREFIX)) return 'local';
  return 'bundle';
}

export const localSpec = (folder: string) => `${LOCAL_SPEC_PREFIX}${folder}`;

export function hubStoreKey(ref: HubRef, quant: QuantScheme): string {
  return `hub ${ref.hubUrl}/${ref.repo}@${ref.revision} ${quant}`;
}

export function localStoreKey(folder: string, quant: QuantScheme): string {
  return `local ${folder} ${quant}`;
}
