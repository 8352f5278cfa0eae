import { normalizeHubUrl, type QuantScheme } from '../engine';
// The hub address and quantization the user chose, kept in localStorage so a page reload (or a link to
// `hf:org/name`) finds the same hub and the same stored bundle.


const KEY = 'heta-lens.hub-settings';
const QUANTS: QuantScheme[] = ['none', 'q8', 'q4'];

export interface HubSettings {
  hubUrl: string;
  quant: QuantScheme;
}

export function loadHubSettings(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Partial<HubSettings> {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? '{}') as Partial<HubSettings>;
    const out: Partial<HubSettings> = {};
    if (typeof saved.hubUrl === 'string') out.hubUrl = normalizeHubUrl(saved.hubUrl);
    if (QUANTS.includes(saved.quant as QuantScheme)) out.quant = saved.quant;
    return out;
  } catch {
    return {}; // unreadable or invalid: defaults
  }
}

export function saveHubSettings(settings: HubSettings, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Storage disabled: the settings last for this page only.
  }
}
