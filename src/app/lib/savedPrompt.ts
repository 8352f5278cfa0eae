// The prompt box survives a reload: kept in this browser's localStorage (never sent anywhere). A link's
// prompt takes precedence; a storage that is disabled or full just means no memory.

const KEY = 'heta-lens.prompt';

export function loadSavedPrompt(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string | null {
  try {
    return storage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}

export function savePrompt(prompt: string, storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.localStorage): void {
  try {
    if (prompt === '') storage?.removeItem(KEY);
    else storage?.setItem(KEY, prompt);
  } catch {
    // Disabled or over quota: the prompt lasts for this page only.
  }
}
