import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';
import { createFlowStore, type FlowState, type FlowStore } from './flow-store';

const FlowStoreContext = createContext<FlowStore | null>(null);

type ProviderProps =
  | { store: FlowStore; children: ReactNode }
  | { catalog: Catalog; document?: FlowDocument; historyLimit?: number; children: ReactNode };

/** Creates the store once (or takes a given one) and provides it to the designer below. */
export function FlowStoreProvider(props: ProviderProps) {
  const [store] = useState<FlowStore>(() =>
    'store' in props
      ? props.store
      : createFlowStore({ catalog: props.catalog, document: props.document, historyLimit: props.historyLimit }),
  );
  return <FlowStoreContext.Provider value={store}>{props.children}</FlowStoreContext.Provider>;
}

export function useFlowStoreApi(): FlowStore {
  const store = useContext(FlowStoreContext);
  if (!store) throw new Error('useFlowStore must be used inside <FlowStoreProvider>');
  return store;
}

/** Selects from the flow store; throws outside a FlowStoreProvider. */
export function useFlowStore<T>(selector: (state: FlowState) => T): T {
  return useStore(useFlowStoreApi(), selector);
}

export function useFlowActions() {
  return useFlowStore((s) => s.actions);
}
