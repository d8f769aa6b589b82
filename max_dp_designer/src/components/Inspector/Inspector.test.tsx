import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { catalog, exampleDocument } from '../../test/fixtures';
import { createFlowStore, FlowStoreProvider, isDirty } from '../../store';
import { Inspector } from './Inspector';

function setup() {
  const store = createFlowStore({ catalog, document: exampleDocument() });
  render(
    <FlowStoreProvider store={store}>
      <Inspector />
    </FlowStoreProvider>,
  );
  return { store, actions: store.getState().actions, user: userEvent.setup() };
}

describe('Inspector', () => {
  it('shows the flow settings when nothing is selected', async () => {
    const { store, user } = setup();
    const name = screen.getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'renamed');
    expect(store.getState().meta.name).toBe('renamed');
    expect(isDirty(store.getState())).toBe(true);
  });

  it('edits the selected node config through its generated form', async () => {
    const { store, actions, user } = setup();
    act(() => actions.select(['kr']));
    expect(screen.getByRole('heading', { name: 'Filter rows' })).toBeTruthy();
    const condition = screen.getByLabelText('Condition');
    await user.clear(condition);
    await user.type(condition, 'amount > 1');
    expect(store.getState().nodes[1]!.data.config).toEqual({ condition: 'amount > 1' });
  });

  it('offers the columns known upstream to column pickers', async () => {
    const { actions, user } = setup();
    act(() => {
      actions.addNode('group_aggregate', { x: 0, y: 0 });
      actions.connect({ source: 'kr', sourceHandle: 'out', target: 'group_aggregate_1', targetHandle: 'in' });
      actions.setColumns('kr', ['region', 'amount']);
      actions.select(['group_aggregate_1']);
    });
    await user.click(screen.getByRole('button', { name: 'Add column' }));
    const picker = screen.getByLabelText('Group By 1') as HTMLSelectElement;
    expect([...picker.options].map((o) => o.value)).toEqual(['', 'region', 'amount']);
  });

  it('shows problems by field and for the node', () => {
    const { actions } = setup();
    act(() => {
      actions.setProblems([
        { code: 'invalid_expression', message: "node 'kr': condition: unknown column 'x'", node_id: 'kr', edge: null, field: 'condition' },
      ]);
      actions.select(['kr']);
    });
    expect(within(screen.getByRole('list', { name: 'Problems' })).getByText("condition: unknown column 'x'")).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe("condition: unknown column 'x'");
  });

  it('renames the node, refusing taken ids', async () => {
    const { store, actions, user } = setup();
    act(() => actions.select(['kr']));
    const id = screen.getByLabelText('Id');
    await user.clear(id);
    await user.type(id, 'orders{Enter}');
    expect(screen.getByRole('alert').textContent).toBe("node id 'orders' is already used");
    expect((screen.getByLabelText('Id') as HTMLInputElement).value).toBe('kr');
    await user.clear(id);
    await user.type(id, 'korea{Enter}');
    expect(store.getState().nodes.map((n) => n.id)).toContain('korea');
  });

  it('lets try_catch pick its scope among the other nodes', async () => {
    const { store, actions, user } = setup();
    act(() => {
      actions.addNode('try_catch', { x: 0, y: 0 });
    });
    await user.click(screen.getByLabelText('Orders (orders)'));
    expect(store.getState().nodes.at(-1)!.data.config).toEqual({ scope: ['orders'] });
  });

  it('summarises a multiple selection', () => {
    const { actions } = setup();
    act(() => actions.select(['kr', 'out']));
    expect(screen.getByText(/2 nodes selected/)).toBeTruthy();
  });
});
