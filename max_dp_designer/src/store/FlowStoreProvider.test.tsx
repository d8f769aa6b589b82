import { act, render, renderHook, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { catalog, exampleDocument } from '../test/fixtures';
import { createFlowStore } from './flow-store';
import { FlowStoreProvider, useFlowStore } from './FlowStoreProvider';

function NodeCount() {
  const count = useFlowStore((s) => s.nodes.length);
  return <p>{count} nodes</p>;
}

describe('FlowStoreProvider', () => {
  it('provides a store built from a catalog and document', () => {
    render(
      <FlowStoreProvider catalog={catalog} document={exampleDocument()}>
        <NodeCount />
      </FlowStoreProvider>,
    );
    expect(screen.getByText('3 nodes')).toBeTruthy();
  });

  it('provides a given store and re-renders on change', () => {
    const store = createFlowStore({ catalog });
    render(
      <FlowStoreProvider store={store}>
        <NodeCount />
      </FlowStoreProvider>,
    );
    expect(screen.getByText('0 nodes')).toBeTruthy();
    act(() => {
      store.getState().actions.addNode('static_data', { x: 0, y: 0 });
    });
    expect(screen.getByText('1 nodes')).toBeTruthy();
  });

  it('throws outside its provider', () => {
    expect(() => renderHook(() => useFlowStore((s) => s.nodes))).toThrow(
      'useFlowStore must be used inside <FlowStoreProvider>',
    );
  });
});
