import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { FlowDocument } from '../../lib/flow-document';
import type { RenameAnswer } from '../../lib/parameters';
import { createFlowStore, FlowStoreProvider } from '../../store';
import { catalog, exampleDocument } from '../../test/fixtures';
import { FlowSettings } from './FlowSettings';
import type { ParameterRenamer } from './ParametersEditor';

function setup(document: FlowDocument = exampleDocument(), renamer?: ParameterRenamer) {
  const store = createFlowStore({ catalog, document });
  render(
    <FlowStoreProvider store={store}>
      <FlowSettings parameterTestValue={(p) => <span data-testid={`slot-${p.name}`} />} renameParameter={renamer} />
    </FlowStoreProvider>,
  );
  const params = () => store.getState().meta.parameters ?? [];
  const row = (name: string) => within(screen.getByRole('group', { name: `Parameter ${name}` }));
  const user = userEvent.setup();
  /** Types `next` over parameter `name`'s name and presses Enter. */
  const rename = async (name: string, next: string) => {
    const field = row(name).getByLabelText('Parameter name');
    await user.clear(field);
    await user.type(field, `${next}{Enter}`);
  };
  return { store, actions: store.getState().actions, params, row, rename, user };
}

const value = (el: HTMLElement) => (el as HTMLInputElement).value;

describe('FlowSettings parameters', () => {
  it("lists the document's parameters with their fields and the test value slot", () => {
    const { row } = setup();
    const region = row('region');
    expect(value(region.getByLabelText('Parameter name'))).toBe('region');
    expect(value(region.getByLabelText('Type'))).toBe('string');
    expect(region.queryByLabelText('Items')).toBeNull(); // only for lists
    expect((region.getByLabelText('Required') as HTMLInputElement).checked).toBe(false);
    expect(value(region.getByLabelText('Default'))).toBe('KR');
    expect(region.getByTestId('slot-region')).toBeTruthy();
  });

  it('adds parameters with fresh names', async () => {
    const { params, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    expect(params().slice(1)).toEqual([
      { name: 'param1', type: 'string', required: false, default: null, description: '' },
      { name: 'param2', type: 'string', required: false, default: null, description: '' },
    ]);
    expect(screen.getByRole('group', { name: 'Parameter param2' })).toBeTruthy();
  });

  it('edits every field into the document', async () => {
    const { params, row, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    const name = row('param1').getByLabelText('Parameter name');
    await user.clear(name);
    await user.type(name, 'min_amount{Enter}');
    const p = row('min_amount');
    await user.selectOptions(p.getByLabelText('Type'), 'integer');
    await user.click(p.getByLabelText('Required'));
    await user.type(p.getByLabelText('Default'), '20');
    await user.type(p.getByLabelText('Description'), 'Smallest amount kept');
    expect(params()[1]).toEqual({
      name: 'min_amount',
      type: 'integer',
      required: true,
      default: 20,
      description: 'Smallest amount kept',
    });
  });

  it('types defaults: numbers, booleans, dates, lists; empty is null', async () => {
    const { params, row, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    const p = row('param1');
    const current = () => params()[1]!;

    await user.selectOptions(p.getByLabelText('Type'), 'number');
    await user.type(p.getByLabelText('Default'), '2.5');
    expect(current().default).toBe(2.5);

    await user.selectOptions(p.getByLabelText('Type'), 'boolean');
    await user.selectOptions(p.getByLabelText('Default'), 'true');
    expect(current().default).toBe(true);
    await user.selectOptions(p.getByLabelText('Default'), 'false');
    expect(current().default).toBe(false);

    await user.selectOptions(p.getByLabelText('Type'), 'date');
    await user.type(p.getByLabelText('Default'), '2024-01-31');
    expect(current().default).toBe('2024-01-31');

    await user.selectOptions(p.getByLabelText('Type'), 'list');
    expect(current()).toMatchObject({ type: 'list', items: 'string', default: ['2024-01-31'] });
    await user.selectOptions(p.getByLabelText('Items'), 'integer');
    expect(current()).toMatchObject({ items: 'integer', default: null }); // a date is no integer
    await user.type(p.getByLabelText('Default'), '1, 2,3');
    expect(current().default).toEqual([1, 2, 3]);
    await user.selectOptions(p.getByLabelText('Items'), 'string');
    expect(current().default).toEqual(['1', '2', '3']);

    await user.clear(p.getByLabelText('Default'));
    expect(current().default).toBeNull();
    await user.selectOptions(p.getByLabelText('Type'), 'integer');
    expect(current().items).toBeUndefined();
  });

  it('keeps an invalid default out of the document and says why', async () => {
    const { params, row, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    const p = row('param1');
    await user.selectOptions(p.getByLabelText('Type'), 'integer');
    const input = p.getByLabelText('Default');
    await user.type(input, '20');
    await user.type(input, 'x');
    expect(p.getByRole('alert').textContent).toBe("expected an integer, got '20x'");
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(value(input)).toBe('20x');
    expect(params()[1]!.default).toBe(20);
    await user.clear(input);
    await user.type(input, '25');
    expect(p.queryByRole('alert')).toBeNull();
    expect(params()[1]!.default).toBe(25);
  });

  it('refuses a taken or malformed name and keeps the old one', async () => {
    const { params, row, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    const name = row('param1').getByLabelText('Parameter name');
    await user.clear(name);
    await user.type(name, 'region{Enter}');
    expect(row('param1').getByRole('alert').textContent).toBe("parameter 'region' is already declared");
    expect(value(name)).toBe('param1');
    await user.clear(name);
    await user.type(name, '1st');
    await user.tab();
    expect(row('param1').getByRole('alert').textContent).toMatch(/start with a letter/);
    expect(params().map((p) => p.name)).toEqual(['region', 'param1']);
  });

  it('removes a parameter', async () => {
    const { params, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.click(screen.getByRole('button', { name: 'Remove parameter region' }));
    expect(params().map((p) => p.name)).toEqual(['param1']);
    expect(screen.queryByRole('group', { name: 'Parameter region' })).toBeNull();
  });

  it('undoes and redoes parameter edits one step at a time', async () => {
    const { store, actions, params, row, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.selectOptions(row('param1').getByLabelText('Type'), 'integer');
    await user.type(row('param1').getByLabelText('Default'), '15'); // typing is one step
    expect(params()[1]).toMatchObject({ type: 'integer', default: 15 });

    act(() => actions.undo());
    expect(params()[1]).toMatchObject({ type: 'integer', default: null });
    expect(value(row('param1').getByLabelText('Default'))).toBe('');
    act(() => actions.undo());
    expect(params()[1]!.type).toBe('string');
    act(() => actions.undo());
    expect(params()).toHaveLength(1);
    expect(screen.queryByRole('group', { name: 'Parameter param1' })).toBeNull();

    act(() => actions.redo());
    act(() => actions.redo());
    act(() => actions.redo());
    expect(params()[1]).toMatchObject({ type: 'integer', default: 15 });
    expect(value(row('param1').getByLabelText('Default'))).toBe('15');

    await user.click(screen.getByRole('button', { name: 'Remove parameter param1' }));
    act(() => actions.undo());
    expect(params().map((p) => p.name)).toEqual(['region', 'param1']);
    expect(store.getState().future).toHaveLength(1);
  });

  it("shows the server's problems with a parameter on it, and in the flow's problems", () => {
    const doc = exampleDocument();
    doc.parameters = [{ name: 'limit', type: 'integer', default: 'ten' }];
    const { actions, row } = setup(doc);
    const message = "parameter 'limit': default: expected an integer, got 'ten'";
    act(() =>
      actions.setProblems([{ code: 'invalid_parameter', message, node_id: null, edge: null, field: 'parameters.limit.default' }]),
    );
    const limit = row('limit');
    expect(within(limit.getByRole('list', { name: 'Problems of limit' })).getByText("default: expected an integer, got 'ten'")).toBeTruthy();
    // The browser's own check of the default says so too.
    expect(limit.getByRole('alert').textContent).toBe("expected an integer, got 'ten'");
    expect(screen.getByText(message)).toBeTruthy();
  });

  // The server's rename is tested against the server (tests/flows/test_rename.py, the browser
  // test); here a stand-in answers as it would, to check what the editor does with the answer.
  const renamedKr = (document: FlowDocument): RenameAnswer => ({
    document: { ...document, nodes: document.nodes.map((n) => (n.id === 'kr' ? { ...n, config: { condition: 'region == @area' } } : n)) },
    changed: [{ node_id: 'kr', field: 'condition' }],
    skipped: [],
  });
  const condition = (store: ReturnType<typeof setup>['store']) =>
    store.getState().nodes.find((n) => n.id === 'kr')!.data.config.condition;

  it("renames a parameter's uses with it, in one undo step", async () => {
    const renamer = vi.fn(async (document: FlowDocument) => renamedKr(document));
    const { store, actions, params, row, rename } = setup(exampleDocument(), renamer);
    await rename('region', 'area');
    await waitFor(() => expect(params().map((p) => p.name)).toEqual(['area']));
    expect(renamer).toHaveBeenCalledTimes(1);
    expect(renamer.mock.calls[0]![0].parameters).toEqual(exampleDocument().parameters);
    expect(renamer.mock.calls[0]!.slice(1)).toEqual(['region', 'area']);
    expect(condition(store)).toBe('region == @area');
    expect(row('area').getByRole('status').textContent).toBe('Renamed @region to @area in 1 place: kr.condition.');
    act(() => actions.undo());
    expect(params().map((p) => p.name)).toEqual(['region']);
    expect(condition(store)).toBe('region == @region');
  });

  it('asks again when the flow changed while the server answered', async () => {
    let store: ReturnType<typeof setup>['store'] | undefined;
    const renamer = vi.fn(async (document: FlowDocument) => {
      if (renamer.mock.calls.length === 1) store!.getState().actions.setMeta({ description: 'typed meanwhile' });
      return renamedKr(document);
    });
    const t = setup(exampleDocument(), renamer);
    store = t.store;
    await t.rename('region', 'area');
    await waitFor(() => expect(t.params().map((p) => p.name)).toEqual(['area']));
    expect(renamer).toHaveBeenCalledTimes(2);
    expect(renamer.mock.calls[1]![0].description).toBe('typed meanwhile');
    expect(store.getState().meta.description).toBe('typed meanwhile');
    expect(condition(store)).toBe('region == @area');
  });

  it('renames nothing when the parameter was removed while the server answered', async () => {
    let store: ReturnType<typeof setup>['store'] | undefined;
    const renamer = vi.fn(async (document: FlowDocument) => {
      store!.getState().actions.setMeta({ parameters: [] });
      return renamedKr(document);
    });
    const t = setup(exampleDocument(), renamer);
    store = t.store;
    await t.rename('region', 'area');
    await waitFor(() => expect(renamer).toHaveBeenCalledTimes(1));
    await act(async () => {});
    expect(t.params()).toEqual([]);
    expect(condition(store)).toBe('region == @region');
  });

  it('renames the declaration alone when the server cannot rename the uses, and says so', async () => {
    const renamer = vi.fn(async () => {
      throw new Error('the server is unreachable');
    });
    const { store, params, row, rename } = setup(exampleDocument(), renamer);
    await rename('region', 'area');
    await waitFor(() => expect(params().map((p) => p.name)).toEqual(['area']));
    expect(condition(store)).toBe('region == @region');
    expect(row('area').getByRole('status').textContent).toBe(
      'Renamed; its uses were not (the server is unreachable): rename them by hand.',
    );
  });
});

