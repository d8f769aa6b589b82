import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import { FlowSettings } from '../components/Inspector/FlowSettings';
import type { FlowDocument } from '../lib/flow-document';
import { createFlowStore, FlowStoreProvider } from '../store';
import { catalog, exampleDocument } from '../test/fixtures';
import { createEditorStore, type EditorServices } from './editor-store';
import { EditorProvider } from './EditorProvider';
import { ParamTestValue } from './ParamTestValue';

function setup(startRun: EditorServices['startRun'] = vi.fn(async () => 'run-1')) {
  const document: FlowDocument = {
    ...exampleDocument(),
    parameters: [
      { name: 'region', type: 'string', default: 'KR' },
      { name: 'limit', type: 'integer', default: 10 },
      { name: 'fresh', type: 'boolean', default: true },
      { name: 'day', type: 'date', required: true },
    ],
  };
  const flowStore = createFlowStore({ catalog, document });
  const flow = { id: 'f1', workspace_id: 'w1', name: 'orders', latest_version: 0, updated_at: 'now' };
  const services: EditorServices = {
    saveFlow: vi.fn(async () => flow),
    saveVersion: vi.fn(async () => ({ version: 1, comment: '', created_at: 'now' })),
    listVersions: vi.fn(async () => ({ items: [] })),
    restoreVersion: vi.fn(async () => ({ ...flow, document: exampleDocument() })),
    preview: vi.fn(async (_id: string, body: { node_id: string }) => ({ node_id: body.node_id, status: 'succeeded', duration_ms: 1, nodes: {} })),
    startRun,
    streamRunEvents: vi.fn(async () => undefined),
    getRun: vi.fn(async () => ({ status: 'succeeded' })),
    cancelRun: vi.fn(async () => undefined),
  };
  const editor = createEditorStore(flow, flowStore, services);
  render(
    <EditorProvider store={editor}>
      <FlowStoreProvider store={flowStore}>
        <FlowSettings parameterTestValue={(p) => <ParamTestValue param={p} />} />
      </FlowStoreProvider>
    </EditorProvider>,
  );
  const row = (name: string) => within(screen.getByRole('group', { name: `Parameter ${name}` }));
  return { editor, flowStore, row, user: userEvent.setup() };
}

describe('ParamTestValue', () => {
  it('keeps test values in the editor, not in the document', async () => {
    const { editor, flowStore, row, user } = setup();
    const limit = row('limit').getByLabelText('Test value') as HTMLInputElement;
    expect(limit.placeholder).toBe('10'); // the default
    await user.type(limit, '3');
    expect(editor.getState().paramValues).toEqual({ limit: '3' });
    expect(flowStore.getState().meta.parameters?.[1]).toEqual({ name: 'limit', type: 'integer', default: 10 });
    expect(flowStore.getState().rev).toBe(0); // not an edit of the flow

    await user.click(row('limit').getByRole('button', { name: 'Clear the test value of limit' }));
    expect(editor.getState().paramValues).toEqual({});
    expect(limit.value).toBe('');
  });

  it('offers a checkbox for booleans and a date input for dates', async () => {
    const { editor, row, user } = setup();
    const fresh = row('fresh').getByLabelText('Test value') as HTMLInputElement;
    expect(fresh.type).toBe('checkbox');
    expect(fresh.checked).toBe(true); // the default until set
    await user.click(fresh);
    expect(editor.getState().paramValues).toEqual({ fresh: 'false' });
    expect(fresh.checked).toBe(false);

    const day = row('day').getByLabelText('Test value') as HTMLInputElement;
    expect(day.type).toBe('date');
    act(() => editor.getState().actions.setParamValue('day', '2024-03-01'));
    expect(day.value).toBe('2024-03-01');
  });

  it("shows the server's refusal beside the value, naming the parameter", async () => {
    const { editor, row, user } = setup(
      vi.fn(async () => {
        throw new ApiError(422, 'invalid_parameters', "limit: expected an integer, got 'x'", [
          { field: 'limit', message: "expected an integer, got 'x'" },
        ]);
      }),
    );
    await user.type(row('limit').getByLabelText('Test value'), 'x');
    await act(() => editor.getState().actions.run());
    expect(row('limit').getByRole('alert').textContent).toBe("limit: expected an integer, got 'x'");
    expect(row('limit').getByLabelText('Test value').getAttribute('aria-invalid')).toBe('true');
    await user.type(row('limit').getByLabelText('Test value'), '{Backspace}4');
    expect(row('limit').queryByRole('alert')).toBeNull();
  });
});
