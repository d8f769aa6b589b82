import { ReactFlowProvider } from '@xyflow/react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { catalog, exampleDocument } from '../../test/fixtures';
import { createFlowStore, FlowStoreProvider, type FlowStore } from '../../store';
import { Canvas } from './Canvas';
import { NODE_TYPE_MIME } from './dnd';
import { labelEdges } from './edge-labels';
import { Palette } from './Palette';
import { shortcutFor } from './useShortcuts';

function positioned() {
  const doc = exampleDocument();
  doc.nodes.forEach((n, i) => (n.position = { x: i * 300, y: 0 }));
  return doc;
}

function renderCanvas(store: FlowStore = createFlowStore({ catalog, document: positioned() })) {
  const utils = render(
    <FlowStoreProvider store={store}>
      <ReactFlowProvider>
        <div style={{ width: 800, height: 600 }}>
          <Canvas />
        </div>
      </ReactFlowProvider>
    </FlowStoreProvider>,
  );
  const nodeEl = (id: string) => utils.container.querySelector(`[data-node-id="${id}"]`) as HTMLElement;
  return { ...utils, store, nodeEl, actions: store.getState().actions };
}

describe('Palette', () => {
  function renderPalette(onAdd = vi.fn()) {
    const store = createFlowStore({ catalog });
    render(
      <FlowStoreProvider store={store}>
        <Palette onAdd={onAdd} />
      </FlowStoreProvider>,
    );
    return onAdd;
  }

  it('groups the catalog by category', () => {
    renderPalette();
    const sections = screen.getAllByRole('region').map((s) => s.getAttribute('aria-label'));
    expect(sections).toEqual(['Sources', 'Rows', 'Columns', 'Aggregate and reshape', 'Combine', 'Control', 'Sinks']);
    expect(within(screen.getByRole('region', { name: 'Combine' })).getAllByRole('button').map((b) => b.dataset.nodeType)).toEqual([
      'join_merge',
      'union_concatenate',
      'merge',
    ]);
  });

  it('filters by search and adds the only match on Enter', async () => {
    const onAdd = renderPalette();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Search nodes'), 'filter');
    expect(screen.getAllByRole('region').map((s) => s.getAttribute('aria-label'))).toEqual(['Rows']);
    await user.keyboard('{Enter}');
    expect(onAdd).toHaveBeenCalledWith('filter_rows');
    await user.clear(screen.getByLabelText('Search nodes'));
    await user.type(screen.getByLabelText('Search nodes'), 'zzz');
    expect(screen.getByText('No node matches “zzz”.')).toBeTruthy();
  });

  it('adds on click and carries the type when dragged', async () => {
    const onAdd = renderPalette();
    const item = screen.getByRole('button', { name: /Group and aggregate/ });
    await userEvent.setup().click(item);
    expect(onAdd).toHaveBeenCalledWith('group_aggregate');
    const setData = vi.fn();
    fireEvent.dragStart(item, { dataTransfer: { setData, effectAllowed: '' } });
    expect(setData).toHaveBeenCalledWith(NODE_TYPE_MIME, 'group_aggregate');
  });
});

describe('Canvas', () => {
  it('renders nodes with their titles, ids and ports as handles', () => {
    const { nodeEl } = renderCanvas();
    expect(within(nodeEl('orders')).getByText('Orders')).toBeTruthy();
    expect(within(nodeEl('kr')).getByText('Filter rows')).toBeTruthy();
    const handles = (id: string) =>
      [...nodeEl(id).querySelectorAll('.react-flow__handle')].map((h) => `${h.getAttribute('data-handlepos')}:${h.getAttribute('data-handleid')}`);
    expect(handles('orders')).toEqual(['right:out']);
    expect(handles('kr')).toEqual(['left:in', 'right:out', 'right:rejected']);
    // Single in/out ports need no captions; several do.
    expect(within(nodeEl('kr')).getByText('rejected')).toBeTruthy();
    expect(within(nodeEl('out')).queryByText('in')).toBeNull();
  });

  it('renders try_catch without inputs, with its scope', () => {
    const store = createFlowStore({ catalog });
    store.getState().actions.addNode('try_catch', { x: 0, y: 0 });
    const { nodeEl } = renderCanvas(store);
    const node = nodeEl('try_catch_1');
    expect(node.querySelectorAll('.react-flow__handle-left')).toHaveLength(0);
    expect(within(node).getByText('watches every node before it')).toBeTruthy();
    act(() => store.getState().actions.updateConfig('try_catch_1', { scope: ['a', 'b'] }));
    expect(within(nodeEl('try_catch_1')).getByText('watches 2 nodes')).toBeTruthy();
  });

  it('marks unknown node types and keeps handles for their edges', () => {
    const doc = positioned();
    doc.nodes[1]!.type = 'plugin_only';
    const { nodeEl } = renderCanvas(createFlowStore({ catalog, document: doc }));
    expect(within(nodeEl('kr')).getByText('unknown type plugin_only')).toBeTruthy();
    expect([...nodeEl('kr').querySelectorAll('.react-flow__handle')].map((h) => h.getAttribute('data-handleid'))).toEqual(['in', 'out']);
  });

  it('shows problems on the nodes themselves', () => {
    const { nodeEl, actions } = renderCanvas();
    act(() =>
      actions.setProblems([
        { code: 'invalid_expression', message: "node 'kr': condition: unknown column 'regoin'", node_id: 'kr', edge: null, field: 'condition' },
        { code: 'x', message: 'second', node_id: 'kr', edge: null, field: null },
        { code: 'x', message: 'third', node_id: 'kr', edge: null, field: null },
      ]),
    );
    // React Flow's node wrapper is a button, so roles inside it do not surface: query the DOM.
    const items = nodeEl('kr').querySelectorAll('ul[aria-label="problems"] > li');
    expect([...items].map((li) => li.textContent)).toEqual([
      "condition: unknown column 'regoin'",
      'second',
      'and 1 more',
    ]);
    expect(nodeEl('kr').classList).toContain('has-problems');
    expect(nodeEl('orders').classList).not.toContain('has-problems');
  });

  it('shows run status, duration and rows on the nodes during a run', () => {
    const { nodeEl, actions } = renderCanvas();
    act(() => {
      actions.applyRunEvent({ kind: 'run_started', run_id: 'r' });
      actions.applyRunEvent({ kind: 'node_started', run_id: 'r', node_id: 'kr' });
      actions.applyRunEvent({
        kind: 'node_finished',
        run_id: 'r',
        node_id: 'orders',
        status: 'succeeded',
        data: { duration_ms: 12.4, rows_out: 1234 },
      });
    });
    expect(within(nodeEl('orders')).getByTestId('node-status').textContent).toBe('succeeded · 12 ms · 1,234 rows');
    expect(within(nodeEl('kr')).getByTestId('node-status').textContent).toBe('running');
    expect(nodeEl('kr').classList).toContain('status-running');
    act(() =>
      actions.applyRunEvent({
        kind: 'node_finished',
        run_id: 'r',
        node_id: 'kr',
        status: 'failed',
        data: { duration_ms: 1500, error: { message: 'boom' } },
      }),
    );
    expect(within(nodeEl('kr')).getByTestId('node-status').textContent).toBe('failed · 1.50 s' + 'boom');
  });

  it('adds a node dropped from the palette', () => {
    const { container, store } = renderCanvas();
    const canvas = container.querySelector('.designer-canvas')!;
    const data = { types: [NODE_TYPE_MIME], getData: (t: string) => (t === NODE_TYPE_MIME ? 'sort_data' : ''), dropEffect: '' };
    fireEvent.dragOver(canvas, { dataTransfer: data });
    fireEvent.drop(canvas, { dataTransfer: data, clientX: 100, clientY: 50 });
    expect(store.getState().nodes.map((n) => n.id)).toContain('sort_data_1');
  });

  it('labels edges leaving a node with several outputs by port', () => {
    const doc = positioned();
    doc.edges[1]!.source_port = 'rejected';
    const { nodes, edges, catalogIndex } = createFlowStore({ catalog, document: doc }).getState();
    expect(labelEdges(nodes, edges, catalogIndex).map((e) => e.label)).toEqual([undefined, 'rejected']);
  });

  it('handles keyboard shortcuts, but not while typing in a field', () => {
    const { store, actions } = renderCanvas();
    act(() => actions.select(['kr']));
    fireEvent.keyDown(window, { key: 'c', ctrlKey: true });
    fireEvent.keyDown(window, { key: 'v', ctrlKey: true });
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['orders', 'kr', 'out', 'kr_1']);
    fireEvent.keyDown(window, { key: 'Delete' });
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['orders', 'kr', 'out']);
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(store.getState().nodes).toHaveLength(4);
    fireEvent.keyDown(window, { key: 'Z', ctrlKey: true, shiftKey: true });
    expect(store.getState().nodes).toHaveLength(3);

    const input = document.createElement('input');
    document.body.appendChild(input);
    act(() => actions.select(['kr']));
    fireEvent.keyDown(input, { key: 'Backspace' });
    expect(store.getState().nodes).toHaveLength(3);
    input.remove();
  });
});

describe('shortcutFor', () => {
  const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) =>
    shortcutFor({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

  it('maps keys to actions', () => {
    expect(key('Delete')).toBe('deleteSelected');
    expect(key('Backspace')).toBe('deleteSelected');
    expect(key('z', { ctrlKey: true })).toBe('undo');
    expect(key('z', { metaKey: true })).toBe('undo');
    expect(key('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(key('y', { ctrlKey: true })).toBe('redo');
    expect(key('c', { ctrlKey: true })).toBe('copySelected');
    expect(key('v', { metaKey: true })).toBe('paste');
    expect(key('a', { ctrlKey: true })).toBe('selectAll');
  });

  it('ignores other keys', () => {
    expect(key('z')).toBeNull();
    expect(key('c')).toBeNull();
    expect(key('Delete', { ctrlKey: true })).toBeNull();
    expect(key('z', { ctrlKey: true, altKey: true })).toBeNull();
  });
});
