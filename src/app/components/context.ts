// The store and the bridge, provided once at the root; components read narrow selectors.

import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Bridge } from '../bridge';
import type { AppState, AppStore } from '../store';

export interface AppServices {
  store: AppStore;
  bridge: Bridge;
}

export const AppContext = createContext<AppServices | null>(null);

function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('AppContext is missing');
  return services;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useServices().store, selector);
}

/** The store's actions (stable functions) without subscribing to anything. */
export function useActions(): AppState {
  return useServices().store.getState();
}

export function useBridge(): Bridge {
  return useServices().bridge;
}

export function useStoreApi(): AppStore {
  return useServices().store;
}
