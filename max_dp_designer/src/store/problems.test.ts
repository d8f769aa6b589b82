// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { makeNode } from '../lib/flow-document';
import type { Problem } from '../lib/graph-utils';
import { changedNodeIds, groupByNode, keepServerProblems, mergeProblems } from './problems';

const p = (code: string, node_id: string | null, field: string | null = null): Problem => ({ code, message: code, node_id, edge: null, field });

describe('problems', () => {
  it('finds nodes whose data changed, appeared or vanished', () => {
    const a = makeNode({ id: 'a', type: 't' }, { x: 0, y: 0 });
    const b = makeNode({ id: 'b', type: 't' }, { x: 0, y: 0 });
    const c = makeNode({ id: 'c', type: 't' }, { x: 0, y: 0 });
    const moved = { ...a, position: { x: 5, y: 5 } };
    const edited = { ...b, data: { ...b.data, label: 'x' } };
    expect([...changedNodeIds([a, b, c], [moved, edited])].sort()).toEqual(['b', 'c']);
  });

  it('keeps server problems only for untouched nodes and codes the browser cannot check', () => {
    const server = [p('invalid_expression', 'a'), p('invalid_expression', 'b'), p('cycle', 'a'), p('unknown_parameter', null)];
    expect(keepServerProblems(server, new Set(['b']))).toEqual([p('invalid_expression', 'a'), p('unknown_parameter', null)]);
  });

  it('merges without duplicates and groups by node', () => {
    const merged = mergeProblems([p('x', 'a', 'f')], [p('x', 'a', 'f'), p('y', 'b')]);
    expect(merged).toEqual([p('x', 'a', 'f'), p('y', 'b')]);
    expect(groupByNode([...merged, p('z', null)])).toEqual({ a: [p('x', 'a', 'f')], b: [p('y', 'b')] });
  });
});
