// What this device says about its memory, read in the worker: navigator.deviceMemory (GiB, rounded
// and capped by the browser) and, when WebGPU may be used, the adapter's largest buffer.

import type { DeviceMemory } from '../engine/model/memoryPlan';
import type { BackendPreference } from './protocol';

interface GpuLimitsLike {
  requestAdapter(): Promise<{ limits?: { maxBufferSize?: number } } | null>;
}

export async function readDeviceMemory(prefer: BackendPreference): Promise<DeviceMemory> {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number; gpu?: GpuLimitsLike }) | undefined;
  const gib = nav?.deviceMemory;
  let gpuMaxBufferBytes: number | null = null;
  if (prefer !== 'wasm' && nav?.gpu) {
    try {
      gpuMaxBufferBytes = (await nav.gpu.requestAdapter())?.limits?.maxBufferSize ?? null;
    } catch {
      gpuMaxBufferBytes = null; // no adapter: the runtime reports why when it falls back
    }
  }
  return { deviceBytes: typeof gib === 'number' && gib > 0 ? gib * 2 ** 30 : null, gpuMaxBufferBytes };
}
