// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { FlowDocument } from '../lib/flow-document';
import { createFlowStore, isDirty } from '../store';
import { catalog, exampleDocument } from '../test/fixtures';
import { createEditorStore, type EditorServices, type FlowInfo, type PreviewAnswer } from './editor-store';

const FLOW: FlowInfo = { id: 'f1', workspace_id: 'w1', name: 'orders', latest_version: 0, updated_at: '2026-01-01T00:00:00Z' };

const previewOf = (nodeId: string, columns: Record<string, string[]>): PreviewAnswer => ({
  node_id: nodeId,
  status: 'succeeded',
  duration_ms: 1,
  nodes: Object.fromEntries(
    Object.entries(columns).map(([id, names]) => [
      id,
      { status: 'succeeded', columns: names.map((name) => ({ name, dtype: 'str', nulls: 0 })), rows: [], row_count: 0 },
    ]),
  ),
});

function setup(overrides: Partial<EditorServices> = {}) {
  const flowStore = createFlowStore({ catalog, document: exampleDocument() });
  const services: EditorServices = {
    saveFlow: vi.fn(async (_id: string, doc: FlowDocument) => ({ ...FLOW, name: doc.name, updated_at: 'later' })),
    saveVersion: vi.fn(async () => ({ version: 1, comment: 'c', created_at: 'now' })),
    listVersions: vi.fn(async () => ({ items: [] })),
    restoreVersion: vi.fn(async () => ({ ...FLOW, document: { ...exampleDocument(), name: 'restored' } })),
    preview: vi.fn(async (_id: string, body: { node_id: string }) => previewOf(body.node_id, { orders: ['region', 'amount'], kr: ['region', 'amount'] })),
    startRun: vi.fn(async () => 'run-1'),
    streamRunEvents: vi.fn(async () => undefined),
    getRun: vi.fn(async () => ({ status: 'succeeded' })),
    cancelRun: vi.fn(async () => undefined),
    ...overrides,
  };
  const editor = createEditorStore(FLOW, flowStore, services);
  return { flowStore, editor, services, actions: editor.getState().actions, graph: flowStore.getState().actions };
}

describe('save', () => {
  it('sends the document and marks it saved', async () => {
    const { flowStore, actions, graph, services, editor } = setup();
    graph.setMeta({ name: 'renamed' });
    expect(isDirty(flowStore.getState())).toBe(true);
    await expect(actions.save()).resolves.toBe(true);
    expect(services.saveFlow).toHaveBeenCalledWith('f1', expect.objectContaining({ name: 'renamed' }));
    expect(isDirty(flowStore.getState())).toBe(false);
    expect(editor.getState().flow.name).toBe('renamed');
  });

  it('does nothing when nothing changed', async () => {
    const { actions, services } = setup();
    await actions.save();
    expect(services.saveFlow).not.toHaveBeenCalled();
  });

  it('keeps edits made while saving unsaved', async () => {
    let release!: () => void;
    const { flowStore, actions, graph } = setup({
      saveFlow: () => new Promise((resolve) => (release = () => resolve(FLOW))),
    });
    graph.setMeta({ name: 'one' });
    const saving = actions.save();
    graph.setMeta({ description: 'typed during the save' });
    release();
    await saving;
    expect(isDirty(flowStore.getState())).toBe(true);
  });

  it('puts the problems of a refused save on the nodes', async () => {
    const problem = { code: 'invalid_expression', message: "node 'kr': condition: invalid syntax", node_id: 'kr', edge: null, field: 'condition' };
    const { flowStore, actions, graph, editor } = setup({
      saveFlow: async () => {
        throw new ApiError(422, 'invalid_flow', 'the flow has 1 problem', [problem]);
      },
    });
    graph.updateConfig('kr', { condition: 'amount >' });
    await expect(actions.save()).resolves.toBe(false);
    expect(flowStore.getState().problemsByNode.kr).toContainEqual(problem);
    expect(editor.getState().message).toEqual({ kind: 'error', text: 'Not saved: 1 problem, shown on the nodes.' });
    expect(isDirty(flowStore.getState())).toBe(true);
  });
});

describe('versions', () => {
  it('saves first, then keeps a version with the comment', async () => {
    const { actions, graph, services, editor } = setup();
    graph.setMeta({ name: 'x' });
    await expect(actions.saveVersion('first')).resolves.toBe(true);
    expect(services.saveFlow).toHaveBeenCalled();
    expect(services.saveVersion).toHaveBeenCalledWith('f1', 'first');
    expect(editor.getState().flow.latest_version).toBe(1);
  });

  it('restores a version into the canvas, clean', async () => {
    const { flowStore, actions, graph } = setup();
    graph.setMeta({ name: 'unsaved edit' });
    await expect(actions.restore(1)).resolves.toBe(true);
    expect(flowStore.getState().meta.name).toBe('restored');
    expect(isDirty(flowStore.getState())).toBe(false);
  });

  it('opens the list and loads it', async () => {
    const { actions, services, editor } = setup();
    actions.toggleVersions();
    await vi.waitFor(() => expect(editor.getState().versions).toEqual([]));
    expect(services.listVersions).toHaveBeenCalledWith('f1');
    expect(editor.getState().versionsOpen).toBe(true);
  });
});

describe('preview', () => {
  it('previews the node with only what it needs, and feeds the column pickers', async () => {
    const { flowStore, actions, services, editor } = setup();
    await actions.previewNode('kr');
    const body = vi.mocked(services.preview).mock.calls[0]![1];
    expect(body.node_id).toBe('kr');
    expect(body.document.nodes.map((n) => n.id)).toEqual(['orders', 'kr']); // not 'out'
    expect(editor.getState().preview).toMatchObject({ nodeId: 'kr', loading: false, error: null, page: 0 });
    expect(flowStore.getState().columns).toEqual({ orders: ['region', 'amount'], kr: ['region', 'amount'] });
  });

  it('shows a failed node\'s error', async () => {
    const { actions, editor } = setup({
      preview: async () => ({
        node_id: 'kr',
        status: 'failed',
        duration_ms: 1,
        error: { message: "unknown column 'amont'" },
        nodes: { kr: { status: 'failed', error: { message: "unknown column 'amont'" } } },
      }),
    });
    await actions.previewNode('kr');
    expect(editor.getState().preview?.error).toBe("unknown column 'amont'");
  });

  it('fetches upstream columns once per upstream state, again after an upstream edit', async () => {
    const { actions, graph, services } = setup();
    await actions.ensureColumns(['kr']);
    await actions.ensureColumns(['kr']);
    expect(services.preview).toHaveBeenCalledTimes(1);
    expect(vi.mocked(services.preview).mock.calls[0]![1]).toMatchObject({ node_id: 'kr', row_limit: 1, sample_sources: true });
    graph.onNodesChange([{ type: 'position', id: 'orders', position: { x: 50, y: 50 } }]);
    await actions.ensureColumns(['kr']); // a move changes nothing
    expect(services.preview).toHaveBeenCalledTimes(1);
    graph.updateConfig('orders', { rows: [{ region: 'US' }] });
    await actions.ensureColumns(['kr']);
    expect(services.preview).toHaveBeenCalledTimes(2);
  });
});

describe('run', () => {
  it('saves, starts a background run and shows each node as the events arrive', async () => {
    const events = [
      { kind: 'run_started', run_id: 'run-1', status: 'running', data: {} },
      { kind: 'node_started', run_id: 'run-1', node_id: 'orders', status: 'running', data: {} },
      { kind: 'node_finished', run_id: 'run-1', node_id: 'orders', status: 'succeeded', data: { duration_ms: 2, rows_in: 0, rows_out: 1 } },
      { kind: 'run_finished', run_id: 'run-1', status: 'succeeded', data: { duration_ms: 5 } },
    ];
    const { flowStore, actions, graph, services, editor } = setup({
      streamRunEvents: async (_id, onEvent) => events.forEach(onEvent),
    });
    graph.setMeta({ name: 'changed' });
    await actions.run();
    expect(services.saveFlow).toHaveBeenCalled();
    expect(services.startRun).toHaveBeenCalledWith('f1', {}); // no test values: the defaults
    expect(flowStore.getState().run.nodes.orders).toMatchObject({ status: 'succeeded', rows_out: 1, duration_ms: 2 });
    expect(editor.getState().run).toEqual({ runId: 'run-1', status: 'succeeded', error: null });
    expect(services.getRun).not.toHaveBeenCalled();
  });

  it('asks for the outcome when the stream ends early', async () => {
    const { actions, services, editor } = setup({ getRun: vi.fn(async () => ({ status: 'failed', error: { message: 'boom' } })) });
    await actions.run();
    expect(services.getRun).toHaveBeenCalledWith('run-1');
    expect(editor.getState().run).toEqual({ runId: 'run-1', status: 'failed', error: 'boom' });
  });

  it('does not run what could not be saved', async () => {
    const { actions, graph, services } = setup({
      saveFlow: async () => {
        throw new ApiError(422, 'invalid_flow', 'bad', []);
      },
    });
    graph.setMeta({ name: 'x' });
    await actions.run();
    expect(services.startRun).not.toHaveBeenCalled();
  });

  it('cancels the live run', async () => {
    let finish!: () => void;
    const { actions, services } = setup({ streamRunEvents: () => new Promise((r) => (finish = () => r())) });
    const running = actions.run();
    await vi.waitFor(() => expect(services.streamRunEvents).toBeDefined());
    await vi.waitFor(async () => {
      await actions.cancelRun();
      expect(services.cancelRun).toHaveBeenCalledWith('run-1');
    });
    finish();
    await running;
  });
});

describe('parameter test values', () => {
  const refusal = () =>
    new ApiError(422, 'invalid_parameters', "limit: expected an integer, got 'x'", [
      { field: 'limit', message: "expected an integer, got 'x'" },
    ]);

  function withLimit(overrides: Partial<EditorServices> = {}) {
    const t = setup(overrides);
    t.graph.setMeta({ parameters: [...(t.flowStore.getState().meta.parameters ?? []), { name: 'limit', type: 'integer', default: 10 }] });
    return t;
  }

  it('sends the non-empty values with a run, a preview and the column fetches', async () => {
    const { actions, services, editor } = withLimit();
    actions.setParamValue('region', 'US');
    actions.setParamValue('limit', '3');
    actions.setParamValue('limit', ''); // cleared: the default
    expect(editor.getState().paramValues).toEqual({ region: 'US' });

    await actions.run();
    expect(services.startRun).toHaveBeenCalledWith('f1', { region: 'US' });
    await actions.ensureColumns(['kr']);
    expect(vi.mocked(services.preview).mock.calls[0]![1]).toMatchObject({ node_id: 'kr', row_limit: 1, params: { region: 'US' } });
    await actions.previewNode('kr');
    expect(vi.mocked(services.preview).mock.calls[1]![1]).toMatchObject({ node_id: 'kr', row_limit: 500, params: { region: 'US' } });
  });

  it('fetches columns again when the test values change', async () => {
    const { actions, services } = setup();
    await actions.ensureColumns(['kr']);
    await actions.ensureColumns(['kr']);
    expect(services.preview).toHaveBeenCalledTimes(1);
    actions.setParamValue('region', 'JP');
    await actions.ensureColumns(['kr']);
    expect(services.preview).toHaveBeenCalledTimes(2);
    expect(vi.mocked(services.preview).mock.calls[1]![1].params).toEqual({ region: 'JP' });
  });

  it('drops the values of parameters that are removed; a renamed one keeps its value', async () => {
    const { flowStore, actions, graph, services, editor } = withLimit();
    actions.setParamValue('region', 'US');
    actions.setParamValue('limit', '5');
    graph.setMeta({ parameters: [{ name: 'limit', type: 'integer', default: 10 }] }, null);
    expect(editor.getState().paramValues).toEqual({ limit: '5' });
    graph.renameParameter(0, 'top');
    expect(editor.getState().paramValues).toEqual({ top: '5' });
    graph.setMeta({ parameters: [] }, null);
    expect(editor.getState().paramValues).toEqual({});
    graph.undo();
    graph.undo();
    graph.undo(); // 'region' is back, its value is not
    expect(flowStore.getState().meta.parameters?.map((p) => p.name)).toEqual(['region', 'limit']);
    await actions.run();
    expect(services.startRun).toHaveBeenCalledWith('f1', {});
  });

  it("shows a refused value with the parameter's name, in the preview and beside the value", async () => {
    const { actions, editor } = withLimit({
      preview: async () => {
        throw refusal();
      },
    });
    actions.setParamValue('limit', 'x');
    await actions.previewNode('kr');
    expect(editor.getState().preview).toMatchObject({ nodeId: 'kr', loading: false, error: "limit: expected an integer, got 'x'" });
    expect(editor.getState().paramErrors).toEqual({ limit: "expected an integer, got 'x'" });
    actions.setParamValue('limit', '5'); // a new value: the old refusal goes
    expect(editor.getState().paramErrors).toEqual({});
  });

  it('says why a run was refused, naming the parameter', async () => {
    const { actions, editor, services } = withLimit({
      startRun: vi.fn(async () => {
        throw refusal();
      }),
    });
    actions.setParamValue('limit', 'x');
    await actions.run();
    expect(services.startRun).toHaveBeenCalledWith('f1', { limit: 'x' });
    expect(editor.getState().message).toEqual({ kind: 'error', text: "Not run: limit: expected an integer, got 'x'" });
    expect(editor.getState().paramErrors).toEqual({ limit: "expected an integer, got 'x'" });
    expect(editor.getState().run).toBeNull();
  });
});
