// Entry: one store, one worker client, the bridge between them; the URL hash restores a shared view
// (a model on another host waits for the user's consent: see lib/linkPolicy.ts).

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AttributionClient } from './engine';
import { createBridge } from './bridge';
import { App } from './components/App';
import { AppContext } from './components/context';
import { loadHubSettings } from './lib/hubSettings';
import { readLink } from './lib/link';
import { loadSavedPrompt, savePrompt } from './lib/savedPrompt';
import { createAppStore } from './store';
import './styles.css';

const store = createAppStore(loadHubSettings());
const client = new AttributionClient(() => new Worker(new URL('../worker/attribution.worker.ts', import.meta.url), { type: 'module' }));
const bridge = createBridge(store, client);

// The last prompt comes back after a reload (a link's prompt, applied below, replaces it), and every edit is kept.
const saved = loadSavedPrompt();
if (saved !== null) store.getState().setPrompt(saved);
let saveTimer: ReturnType<typeof setTimeout> | undefined;
store.subscribe((s, before) => {
  if (s.prompt === before.prompt) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => savePrompt(store.getState().prompt), 300);
});

const applyHash = () => {
  const { link, problems } = readLink(location.hash);
  bridge.applyLink(link, problems);
};
applyHash();
window.addEventListener('hashchange', applyHash);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ store, bridge }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
