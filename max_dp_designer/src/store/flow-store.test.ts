// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog, exampleDocument } from '../test/fixtures';
import { createFlowStore, inputColumns, isDirty, selectedNodeIds } from './flow-store';

const positioned = () => {
  const doc = exampleDocument();
  doc.nodes.forEach((n, i) => (n.position = { x: i * 300, y: 0 }));
  return doc;
};

function setup(historyLimit?: number) {
  const store = createFlowStore({ catalog, document: positioned(), historyLimit });
  return { store, s: () => store.getState(), a: store.getState().actions };
}

describe('loading and saving', () => {
  it('starts clean with the document mapped to nodes and edges', () => {
    const { s } = setup();
    expect(s().nodes.map((n) => n.id)).toEqual(['orders', 'kr', 'out']);
    expect(s().edges).toHaveLength(2);
    expect(isDirty(s())).toBe(false);
    expect(s().actions.toDocument().edges).toEqual([
      { source: 'orders', target: 'kr' },
      { source: 'kr', target: 'out', source_port: 'out' },
    ]);
  });

  it('lays out a document without positions', () => {
    const store = createFlowStore({ catalog, document: exampleDocument() });
    const xs = store.getState().nodes.map((n) => n.position.x);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
  });

  it('load replaces the flow and clears history, run and problems', () => {
    const { s, a } = setup();
    a.addNode('sort_data', { x: 0, y: 0 });
    a.setProblems([{ code: 'invalid_expression', message: 'm', node_id: 'kr', edge: null, field: null }]);
    a.load(positioned());
    expect(s().nodes).toHaveLength(3);
    expect(s().past).toEqual([]);
    expect(s().problems).toEqual([]);
    expect(isDirty(s())).toBe(false);
  });

  it('is dirty after an edit until marked saved', () => {
    const { s, a } = setup();
    a.addNode('sort_data', { x: 0, y: 0 });
    expect(isDirty(s())).toBe(true);
    a.markSaved();
    expect(isDirty(s())).toBe(false);
  });

  it('is clean again when undo returns to the saved state', () => {
    const { s, a } = setup();
    a.addNode('sort_data', { x: 0, y: 0 });
    a.undo();
    expect(isDirty(s())).toBe(false);
    a.redo();
    expect(isDirty(s())).toBe(true);
  });
});

describe('editing', () => {
  it('adds nodes with fresh ids and selects the new one', () => {
    const { s, a } = setup();
    expect(a.addNode('filter_rows', { x: 10, y: 20 })).toBe('filter_rows_1');
    expect(a.addNode('filter_rows', { x: 10, y: 20 })).toBe('filter_rows_2');
    expect(selectedNodeIds(s())).toEqual(['filter_rows_2']);
    expect(s().nodes.at(-1)).toMatchObject({ type: 'step', data: { nodeType: 'filter_rows', config: {} } });
    expect(a.addNode('try_catch', { x: 0, y: 0 })).toBe('try_catch_1');
    expect(s().nodes.at(-1)!.type).toBe('catch');
  });

  it('connects valid ports and refuses invalid ones with a notice', () => {
    const { s, a } = setup();
    a.addNode('display_results', { x: 0, y: 0 });
    const ok = a.connect({ source: 'kr', target: 'display_results_1', sourceHandle: 'rejected', targetHandle: null });
    expect(ok).toEqual({ ok: true });
    expect(s().edges.at(-1)).toMatchObject({ source: 'kr', sourceHandle: 'rejected', targetHandle: 'in' });

    const refused = a.connect({ source: 'out', target: 'kr', sourceHandle: 'out', targetHandle: 'in' });
    expect(refused.ok).toBe(false);
    expect(s().notice).toMatch(/^Connection refused: /);
    expect(s().edges).toHaveLength(3);
  });

  it('refuses a cycle', () => {
    const { s, a } = setup();
    a.addNode('merge', { x: 0, y: 0 });
    a.connect({ source: 'out', target: 'merge_1', sourceHandle: null, targetHandle: null });
    const res = a.connect({ source: 'merge_1', target: 'kr', sourceHandle: null, targetHandle: null });
    expect(res.ok).toBe(false);
    // kr already has an input; replace it to reach the cycle check
    a.onEdgesChange([{ type: 'remove', id: s().edges[0]!.id }]);
    expect(a.connect({ source: 'merge_1', target: 'kr', sourceHandle: null, targetHandle: null })).toEqual({
      ok: false,
      reason: 'would create a cycle: kr -> out -> merge_1 -> kr',
    });
  });

  it('updates config and label', () => {
    const { s, a } = setup();
    a.updateConfig('kr', { condition: 'amount > 5' });
    a.updateNode('kr', { label: 'Big' });
    expect(s().nodes[1]!.data).toMatchObject({ config: { condition: 'amount > 5' }, label: 'Big' });
    a.updateNode('kr', { label: '' });
    expect(s().nodes[1]!.data.label).toBeUndefined();
  });

  it('renames a node and the edges and scopes that name it', () => {
    const { s, a } = setup();
    a.addNode('try_catch', { x: 0, y: 0 });
    a.updateConfig('try_catch_1', { scope: ['kr'] });
    expect(a.renameNode('kr', 'orders')).toMatch(/already used/);
    expect(a.renameNode('kr', '9bad')).toMatch(/ids start/);
    expect(a.renameNode('kr', 'korea')).toBeNull();
    expect(s().edges.map((e) => `${e.source}->${e.target}`)).toEqual(['orders->korea', 'korea->out']);
    expect(s().nodes.at(-1)!.data.config).toEqual({ scope: ['korea'] });
  });

  it('deletes selected nodes with their edges, and selected edges', () => {
    const { s, a } = setup();
    a.select(['kr']);
    a.deleteSelected();
    expect(s().nodes.map((n) => n.id)).toEqual(['orders', 'out']);
    expect(s().edges).toEqual([]);
    a.undo();
    expect(selectedNodeIds(s())).toEqual(['kr']); // undo restores the selection with the nodes
    a.select([]);
    a.onEdgesChange([{ type: 'select', id: s().edges[1]!.id, selected: true }]);
    a.deleteSelected();
    expect(s().nodes).toHaveLength(3);
    expect(s().edges.map((e) => e.target)).toEqual(['kr']);
  });

  it('does nothing on delete with nothing selected', () => {
    const { s, a } = setup();
    a.select([]);
    a.deleteSelected();
    expect(s().past).toHaveLength(0);
  });

  it('removes edges of nodes removed by React Flow', () => {
    const { s, a } = setup();
    a.onNodesChange([{ type: 'remove', id: 'orders' }]);
    expect(s().edges.map((e) => e.source)).toEqual(['kr']);
    expect(s().past).toHaveLength(1);
  });

  it('sets meta', () => {
    const { s, a } = setup();
    a.setMeta({ name: 'renamed', timeout_s: 30 });
    expect(a.toDocument()).toMatchObject({ name: 'renamed', timeout_s: 30 });
    expect(isDirty(s())).toBe(true);
  });

  it('lays the graph out as one undo step', () => {
    const { s, a } = setup();
    a.onNodesChange([{ type: 'position', id: 'out', position: { x: -500, y: 900 } }]);
    a.layout();
    expect(s().nodes.map((n) => n.position.x)).toEqual([0, 300, 600]);
    a.undo();
    expect(s().nodes[2]!.position).toEqual({ x: -500, y: 900 });
  });
});

describe('undo and redo', () => {
  it('undoes and redoes in order; a new edit clears redo', () => {
    const { s, a } = setup();
    a.addNode('sort_data', { x: 0, y: 0 });
    a.addNode('merge', { x: 0, y: 0 });
    a.undo();
    expect(s().nodes.map((n) => n.id)).not.toContain('merge_1');
    a.undo();
    expect(s().nodes).toHaveLength(3);
    a.undo(); // nothing left: no-op
    a.redo();
    expect(s().nodes.map((n) => n.id)).toContain('sort_data_1');
    a.addNode('display_results', { x: 0, y: 0 });
    expect(s().future).toEqual([]);
    a.redo();
    expect(s().nodes.map((n) => n.id)).not.toContain('merge_1');
  });

  it('keeps at most the history limit', () => {
    const { s, a } = setup(3);
    for (let i = 0; i < 6; i++) a.addNode('sort_data', { x: 0, y: 0 });
    expect(s().past).toHaveLength(3);
    a.undo();
    a.undo();
    a.undo();
    a.undo();
    expect(s().nodes).toHaveLength(6);
  });

  it('merges rapid edits of one config into one step', () => {
    const { s, a } = setup();
    a.updateConfig('kr', { condition: 'a' });
    a.updateConfig('kr', { condition: 'ab' });
    a.updateConfig('kr', { condition: 'abc' });
    expect(s().past).toHaveLength(1);
    a.undo();
    expect(s().nodes[1]!.data.config).toEqual({ condition: 'region == @region' });
  });

  it('does not merge an edit after a save into the step before it', () => {
    const { s, a } = setup();
    a.updateConfig('kr', { condition: 'a' });
    a.markSaved();
    a.updateConfig('kr', { condition: 'ab' });
    expect(isDirty(s())).toBe(true);
    a.undo();
    expect(s().nodes[1]!.data.config).toEqual({ condition: 'a' });
    expect(isDirty(s())).toBe(false);
  });

  it('makes a whole drag one step and ignores selection and measuring', () => {
    const { s, a } = setup();
    a.onNodesChange([{ type: 'select', id: 'kr', selected: true }]);
    a.onNodesChange([{ type: 'dimensions', id: 'kr', dimensions: { width: 100, height: 50 } }]);
    expect(s().past).toHaveLength(0);
    expect(isDirty(s())).toBe(false);
    for (const x of [10, 20, 30]) a.onNodesChange([{ type: 'position', id: 'kr', position: { x, y: 0 }, dragging: true }]);
    a.onNodesChange([{ type: 'position', id: 'kr', position: { x: 40, y: 0 }, dragging: false }]);
    expect(s().past).toHaveLength(1);
    expect(s().nodes[1]!.position.x).toBe(40);
    a.undo();
    expect(s().nodes[1]!.position.x).toBe(300);
  });
});

describe('copy and paste', () => {
  it('pastes selected nodes with new ids, their inner edges, offset and selected', () => {
    const { s, a } = setup();
    a.select(['kr', 'out']);
    a.copySelected();
    a.paste();
    const pasted = s().nodes.slice(3);
    expect(pasted.map((n) => n.id)).toEqual(['kr_1', 'out_1']);
    expect(pasted.every((n) => n.selected)).toBe(true);
    expect(s().nodes.slice(0, 3).some((n) => n.selected)).toBe(false);
    expect(pasted[0]!.position).toEqual({ x: 340, y: 40 });
    expect(pasted[0]!.data.config).toEqual({ condition: 'region == @region' });
    const inner = s().edges.slice(2);
    expect(inner).toHaveLength(1);
    expect(inner[0]).toMatchObject({ source: 'kr_1', target: 'out_1', sourceHandle: 'out', targetHandle: 'in' });
  });

  it('pastes again further away with other ids, and copies are independent', () => {
    const { s, a } = setup();
    a.select(['kr']);
    a.copySelected();
    a.paste();
    a.paste();
    expect(s().nodes.slice(3).map((n) => [n.id, n.position.x])).toEqual([
      ['kr_1', 340],
      ['kr_2', 380],
    ]);
    a.updateConfig('kr_1', { condition: 'changed' });
    expect(s().nodes.find((n) => n.id === 'kr')!.data.config).toEqual({ condition: 'region == @region' });
    expect(s().clipboard!.nodes[0]!.data.config).toEqual({ condition: 'region == @region' });
  });

  it('remaps a pasted try_catch scope to the pasted nodes', () => {
    const { s, a } = setup();
    a.addNode('try_catch', { x: 0, y: 0 });
    a.updateConfig('try_catch_1', { scope: ['kr', 'orders'] });
    a.select(['kr', 'try_catch_1']);
    a.copySelected();
    a.paste();
    expect(s().nodes.at(-1)!.data.config).toEqual({ scope: ['kr_1', 'orders'] });
  });

  it('ignores copy with nothing selected and paste with an empty clipboard', () => {
    const { s, a } = setup();
    a.select([]);
    a.copySelected();
    a.paste();
    expect(s().clipboard).toBeNull();
    expect(s().nodes).toHaveLength(3);
  });
});

describe('run status and problems', () => {
  it('tracks node status, duration and rows from run events', () => {
    const { s, a } = setup();
    a.applyRunEvent({ kind: 'run_started', run_id: 'r1' });
    a.applyRunEvent({ kind: 'node_started', run_id: 'r1', node_id: 'orders', status: 'running' });
    expect(s().run.nodes.orders).toEqual({ status: 'running' });
    a.applyRunEvent({
      kind: 'node_finished',
      run_id: 'r1',
      node_id: 'orders',
      status: 'succeeded',
      data: { duration_ms: 1.5, rows_in: 0, rows_out: 1, error: null, reason: null },
    });
    a.applyRunEvent({
      kind: 'node_finished',
      run_id: 'r1',
      node_id: 'kr',
      status: 'failed',
      data: { duration_ms: 2, error: { code: 'node_failed', message: 'boom' } },
    });
    a.applyRunEvent({ kind: 'node_finished', run_id: 'old', node_id: 'out', status: 'succeeded' });
    a.applyRunEvent({ kind: 'run_finished', run_id: 'r1', status: 'failed', data: { duration_ms: 5 } });
    expect(s().run).toMatchObject({
      runId: 'r1',
      status: 'failed',
      duration_ms: 5,
      nodes: {
        orders: { status: 'succeeded', duration_ms: 1.5, rows_out: 1 },
        kr: { status: 'failed', error: { message: 'boom' } },
      },
    });
    expect(s().run.nodes.out).toBeUndefined();
    a.resetRun();
    expect(s().run.nodes).toEqual({});
  });

  it('a new run clears the previous run state', () => {
    const { s, a } = setup();
    a.applyRunEvent({ kind: 'node_finished', run_id: 'r1', node_id: 'kr', status: 'succeeded' });
    a.applyRunEvent({ kind: 'run_started', run_id: 'r2' });
    expect(s().run).toMatchObject({ runId: 'r2', status: 'running', nodes: {} });
  });

  it('rechecks locally after every change, and on undo', () => {
    const { s, a } = setup();
    a.addNode('join_merge', { x: 0, y: 0 });
    expect(s().problems.map((p) => [p.code, p.field])).toEqual([
      ['unconnected_input', 'left'],
      ['unconnected_input', 'right'],
    ]);
    expect(s().problemsByNode.join_merge_1).toHaveLength(2);
    a.connect({ source: 'orders', sourceHandle: 'out', target: 'join_merge_1', targetHandle: 'left' });
    expect(s().problems.map((p) => p.field)).toEqual(['right']);
    a.undo();
    expect(s().problems).toHaveLength(2);
    expect(a.validate()).toEqual(s().problems);
  });

  it('merges server problems with local ones, without duplicates', () => {
    const { s, a } = setup();
    a.addNode('join_merge', { x: 0, y: 0 });
    const local = s().problems[0]!;
    const expr = { code: 'invalid_expression', message: "node 'kr': condition: bad", node_id: 'kr', edge: null, field: 'condition' };
    a.setProblems([expr, { ...local }]);
    expect(s().problems).toHaveLength(3);
    expect(Object.keys(s().problemsByNode).sort()).toEqual(['join_merge_1', 'kr']);
  });

  it('drops server problems that an edit made stale', () => {
    const { s, a } = setup();
    const expr = { code: 'invalid_expression', message: 'bad', node_id: 'kr', edge: null, field: 'condition' };
    const taken = { code: 'port_taken', message: 'taken', node_id: 'out', edge: null, field: 'in' };
    a.setProblems([expr, taken]);
    a.updateNode('orders', { label: 'Orders!' });
    // port_taken is rechecked locally; kr was not touched, so its expression problem stays.
    expect(s().problems).toEqual([expr]);
    a.updateConfig('kr', { condition: 'amount > 1' });
    expect(s().problems).toEqual([]);
  });

  it('drops server problems of a renamed node', () => {
    const { s, a } = setup();
    a.setProblems([{ code: 'invalid_expression', message: 'm', node_id: 'kr', edge: null, field: null }]);
    a.renameNode('kr', 'korea');
    expect(s().problemsByNode).toEqual({});
  });
});

describe('columns from previews', () => {
  it('offers a node the union of its inputs’ columns, once one is known', () => {
    const { s, a } = setup();
    expect(inputColumns(s(), 'kr')).toBeUndefined();
    a.setColumns('orders', ['region', 'amount']);
    expect(inputColumns(s(), 'kr')).toEqual(['region', 'amount']);
    expect(inputColumns(s(), 'orders')).toBeUndefined();
    a.setColumns('orders', null);
    expect(s().columns).toEqual({});
  });
});
