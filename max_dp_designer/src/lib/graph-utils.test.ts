// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog } from '../test/fixtures';
import type { FlowDocument } from './flow-document';
import {
  autoLayout,
  canConnect,
  directInputs,
  findCycles,
  findPath,
  layers,
  upstreamOf,
  validateLocally,
  wouldCreateCycle,
  type GraphEdge,
  type GraphNode,
} from './graph-utils';

const node = (id: string, nodeType = 'sort_data'): GraphNode => ({ id, data: { nodeType } });
const edge = (source: string, target: string, sourceHandle: string | null = null, targetHandle: string | null = null): GraphEdge => ({
  source,
  target,
  sourceHandle,
  targetHandle,
});
const conn = (source: string, target: string, sourceHandle: string | null = null, targetHandle: string | null = null) => ({
  source,
  target,
  sourceHandle,
  targetHandle,
});

describe('wouldCreateCycle', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id));
  const edges = [edge('a', 'b'), edge('b', 'c')];

  it('detects a path back to the source', () => {
    expect(wouldCreateCycle(nodes, edges, conn('c', 'a'))).toBe(true);
    expect(wouldCreateCycle(nodes, edges, conn('b', 'a'))).toBe(true);
  });

  it('treats a self-loop as a cycle', () => {
    expect(wouldCreateCycle(nodes, edges, conn('d', 'd'))).toBe(true);
  });

  it('allows forward edges and diamonds', () => {
    expect(wouldCreateCycle(nodes, edges, conn('a', 'c'))).toBe(false);
    expect(wouldCreateCycle(nodes, edges, conn('c', 'd'))).toBe(false);
    expect(wouldCreateCycle(nodes, edges, conn('d', 'a'))).toBe(false);
  });

  it('ignores edges to nodes that are gone', () => {
    expect(wouldCreateCycle([node('a'), node('c')], [edge('c', 'x'), edge('x', 'a')], conn('a', 'c'))).toBe(false);
  });
});

describe('canConnect', () => {
  const nodes = [
    node('src', 'static_data'),
    node('src2', 'static_data'),
    node('f', 'filter_rows'),
    node('j', 'join_merge'),
    node('m', 'merge'),
    node('t', 'try_catch'),
    node('x', 'mystery'),
    node('b', 'conditional_branch'),
    node('out', 'display_results'),
  ];

  it('accepts a valid connection, naming or omitting single and main ports', () => {
    expect(canConnect(catalog, nodes, [], conn('src', 'f'))).toEqual({ ok: true });
    expect(canConnect(catalog, nodes, [], conn('f', 'out'))).toEqual({ ok: true });
    expect(canConnect(catalog, nodes, [], conn('src', 'f', 'out', 'in'))).toEqual({ ok: true });
    expect(canConnect(catalog, nodes, [], conn('f', 'j', 'rejected', 'right'))).toEqual({ ok: true });
  });

  it('refuses self-loops', () => {
    expect(canConnect(catalog, nodes, [], conn('f', 'f'))).toEqual({ ok: false, reason: 'a node cannot feed itself' });
  });

  it('refuses unknown nodes and types', () => {
    expect(canConnect(catalog, nodes, [], conn('nope', 'f'))).toMatchObject({ ok: false, reason: "no node 'nope'" });
    expect(canConnect(catalog, nodes, [], conn('x', 'f'))).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown type 'mystery'/) });
  });

  it('refuses ports that do not exist or are ambiguous', () => {
    expect(canConnect(catalog, nodes, [], conn('src', 'f', 'nope'))).toEqual({
      ok: false,
      reason: "node 'src' has no output port 'nope' (ports: out)",
    });
    expect(canConnect(catalog, nodes, [], conn('b', 'out'))).toEqual({
      ok: false,
      reason: "node 'b' has several output ports (true, false): name one",
    });
    expect(canConnect(catalog, nodes, [], conn('src', 'j'))).toEqual({
      ok: false,
      reason: "node 'j' has several input ports (left, right): name one",
    });
    expect(canConnect(catalog, nodes, [], conn('src', 't'))).toEqual({ ok: false, reason: "node 't' has no input ports" });
    expect(canConnect(catalog, nodes, [], conn('src', 'j', 'out', 'middle'))).toMatchObject({
      ok: false,
      reason: "node 'j' has no input port 'middle' (ports: left, right)",
    });
  });

  it('refuses a second edge into a single-input port', () => {
    const edges = [edge('src', 'f', 'out', 'in')];
    const result = canConnect(catalog, nodes, edges, conn('src2', 'f', 'out', 'in'));
    expect(result).toEqual({ ok: false, reason: "input port 'in' of node 'f' takes one edge and already has one (from 'src')" });
  });

  it('counts edges that omit the port as taking it', () => {
    expect(canConnect(catalog, nodes, [edge('src', 'f')], conn('src2', 'f', 'out', 'in')).ok).toBe(false);
  });

  it('allows several edges into a many port, and the other input of a join', () => {
    const edges = [edge('src', 'm', 'out', 'in'), edge('src', 'j', 'out', 'left')];
    expect(canConnect(catalog, nodes, edges, conn('src2', 'm', 'out', 'in'))).toEqual({ ok: true });
    expect(canConnect(catalog, nodes, edges, conn('src2', 'j', 'out', 'right'))).toEqual({ ok: true });
  });

  it('refuses the same edge twice even into a many port', () => {
    const edges = [edge('src', 'm', 'out', 'in')];
    expect(canConnect(catalog, nodes, edges, conn('src', 'm'))).toEqual({ ok: false, reason: 'these ports are already connected' });
  });

  it('refuses cycles and names the loop', () => {
    const loopNodes = [node('a'), node('b'), node('c')];
    const edges = [edge('a', 'b', 'out', 'in'), edge('b', 'c', 'out', 'in')];
    expect(canConnect(catalog, loopNodes, edges, conn('c', 'a'))).toEqual({ ok: false, reason: 'would create a cycle: a -> b -> c -> a' });
  });
});

describe('upstreamOf and directInputs', () => {
  const edges = [edge('a', 'c'), edge('b', 'c'), edge('c', 'd'), edge('x', 'y')];

  it('lists every ancestor, nearest first', () => {
    expect(upstreamOf(edges, 'd')).toEqual(['c', 'a', 'b']);
    expect(upstreamOf(edges, 'a')).toEqual([]);
  });

  it('lists direct inputs with their ports', () => {
    expect(directInputs([edge('a', 'j', 'out', 'left'), edge('b', 'j', 'out', 'right')], 'j')).toEqual([
      { port: 'left', source: 'a' },
      { port: 'right', source: 'b' },
    ]);
  });

  it('finds paths', () => {
    expect(findPath(edges, 'a', 'd')).toEqual(['a', 'c', 'd']);
    expect(findPath(edges, 'd', 'a')).toBeNull();
  });
});

describe('autoLayout', () => {
  const positioned = (id: string, y = 0): GraphNode => ({ ...node(id), position: { x: 999, y } });

  it('layers by longest path', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => positioned(id));
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('a', 'c'), edge('c', 'd')];
    expect(Object.fromEntries(layers(nodes, edges))).toEqual({ a: 0, b: 1, c: 2, d: 3 });
    const laid = autoLayout(nodes, edges, { nodeWidth: 100, gapX: 50 });
    expect(laid.map((n) => n.position!.x)).toEqual([0, 150, 300, 450]);
  });

  it('stacks a layer vertically and centres shorter layers', () => {
    const nodes = [positioned('s1', 0), positioned('s2', 10), positioned('j')];
    const edges = [edge('s1', 'j'), edge('s2', 'j')];
    const laid = autoLayout(nodes, edges, { nodeHeight: 50, gapY: 10 });
    const at = Object.fromEntries(laid.map((n) => [n.id, n.position]));
    expect(at.s1).toEqual({ x: 0, y: 0 });
    expect(at.s2).toEqual({ x: 0, y: 60 });
    expect(at.j!.y).toBe(30);
  });

  it('uses measured sizes when React Flow has them', () => {
    const nodes = [{ ...positioned('a'), measured: { width: 300, height: 40 } }, positioned('b')];
    const laid = autoLayout(nodes, [edge('a', 'b')], { gapX: 20 });
    expect(laid[1]!.position!.x).toBe(320);
  });

  it('orders a layer by its predecessors to keep edges short', () => {
    const nodes = [positioned('a', 0), positioned('b', 100), positioned('fromB', 0), positioned('fromA', 100)];
    const laid = autoLayout(nodes, [edge('a', 'fromA'), edge('b', 'fromB')]);
    const at = Object.fromEntries(laid.map((n) => [n.id, n.position!.y]));
    expect(at.fromA).toBeLessThan(at.fromB!);
  });

  it('does not loop forever on a cycle and does not mutate its input', () => {
    const nodes = [positioned('a'), positioned('b'), positioned('c')];
    const laid = autoLayout(nodes, [edge('a', 'b'), edge('b', 'c'), edge('c', 'b')]);
    expect(laid).toHaveLength(3);
    expect(nodes[0]!.position!.x).toBe(999);
    expect(laid.map((n) => n.position!.x)).toEqual([0, 300, 600]);
  });
});

describe('validateLocally', () => {
  const doc = (nodes: FlowDocument['nodes'], edges: FlowDocument['edges'] = []): FlowDocument => ({
    schema_version: 1,
    name: 't',
    nodes,
    edges,
  });
  const codes = (d: FlowDocument) => validateLocally(d, catalog).map((p) => p.code);

  it('finds nothing wrong with a valid flow', () => {
    const d = doc(
      [
        { id: 'a', type: 'static_data' },
        { id: 'f', type: 'filter_rows', config: { condition: 'x > 1' } },
        { id: 'o', type: 'display_results' },
        { id: 'o2', type: 'display_results' },
      ],
      [
        { source: 'a', target: 'f' },
        { source: 'f', target: 'o' }, // the main port `out` needs no name
        { source: 'f', target: 'o2', source_port: 'rejected' },
      ],
    );
    expect(validateLocally(d, catalog)).toEqual([]);
  });

  it('reports unknown types with the server message', () => {
    expect(validateLocally(doc([{ id: 'a', type: 'bogus' }]), catalog)).toEqual([
      { code: 'unknown_type', message: "node 'a': unknown node type 'bogus'", node_id: 'a', edge: null, field: 'type' },
    ]);
  });

  it('reports duplicate ids', () => {
    expect(codes(doc([{ id: 'a', type: 'static_data' }, { id: 'a', type: 'static_data' }]))).toEqual(['duplicate_id']);
  });

  it('reports unconnected required inputs, once per port', () => {
    const problems = validateLocally(doc([{ id: 'j', type: 'join_merge' }]), catalog);
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['unconnected_input', 'left'],
      ['unconnected_input', 'right'],
    ]);
    expect(problems[0]!.message).toBe("node 'j': input port 'left' is not connected");
  });

  it('reports missing required config fields', () => {
    const problems = validateLocally(
      doc([{ id: 's', type: 'static_data' }, { id: 'f', type: 'filter_rows', config: { condition: '' } }], [{ source: 's', target: 'f' }]),
      catalog,
    );
    expect(problems).toEqual([
      { code: 'invalid_config', message: "node 'f': condition: Field required", node_id: 'f', edge: null, field: 'condition' },
    ]);
  });

  it('reports a taken port', () => {
    const d = doc(
      [{ id: 'a', type: 'static_data' }, { id: 'b', type: 'static_data' }, { id: 'o', type: 'display_results' }],
      [
        { source: 'a', target: 'o' },
        { source: 'b', target: 'o' },
      ],
    );
    expect(validateLocally(d, catalog)).toEqual([
      {
        code: 'port_taken',
        message: "node 'o': input port 'in' takes one edge, got 2 (from a, b)",
        node_id: 'o',
        edge: null,
        field: 'in',
      },
    ]);
  });

  it('allows many edges into a many port', () => {
    const d = doc(
      [{ id: 'a', type: 'static_data' }, { id: 'b', type: 'static_data' }, { id: 'm', type: 'merge' }],
      [
        { source: 'a', target: 'm' },
        { source: 'b', target: 'm' },
      ],
    );
    expect(codes(d)).toEqual([]);
  });

  it('reports dangling edges and unknown ports with the edge index', () => {
    const d = doc(
      [{ id: 'a', type: 'static_data' }, { id: 'f', type: 'conditional_branch', config: { condition: 'x' } }, { id: 'o', type: 'display_results' }],
      [
        { source: 'a', target: 'ghost' },
        { source: 'a', target: 'f', target_port: 'nope' },
        { source: 'f', target: 'o' },
      ],
    );
    const problems = validateLocally(d, catalog);
    expect(problems.filter((p) => p.edge !== null).map((p) => [p.code, p.edge, p.field])).toEqual([
      ['dangling_edge', 0, null],
      ['unknown_port', 1, 'target_port'],
      ['unknown_port', 2, 'source_port'],
    ]);
    expect(problems[1]!.message).toBe("edge 1 (a -> f): node 'f' has no input port 'nope' (ports: in)");
    expect(problems[2]!.message).toBe("edge 2 (f -> o): node 'f' has several output ports (true, false): name one");
  });

  it('reports cycles, naming the nodes on them', () => {
    const d = doc(
      [
        { id: 's', type: 'static_data' },
        { id: 'm', type: 'merge' },
        { id: 'a', type: 'sort_data', config: { by: ['x'] } },
        { id: 'b', type: 'sort_data', config: { by: ['x'] } },
      ],
      [
        { source: 's', target: 'm' },
        { source: 'm', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'm' },
      ],
    );
    expect(validateLocally(d, catalog)).toEqual([
      { code: 'cycle', message: 'cycle through nodes m -> a -> b -> m', node_id: 'm', edge: null, field: null },
    ]);
  });

  it('reports a self-loop on its edge', () => {
    const d = doc([{ id: 'm', type: 'merge' }], [{ source: 'm', target: 'm' }]);
    expect(validateLocally(d, catalog).filter((p) => p.code === 'cycle')).toEqual([
      { code: 'cycle', message: 'edge 0 (m -> m): a node cannot feed itself', node_id: 'm', edge: 0, field: null },
    ]);
  });

  it('reports try_catch scopes naming missing nodes', () => {
    const d = doc([{ id: 't', type: 'try_catch', config: { scope: ['ghost'] } }]);
    expect(validateLocally(d, catalog).map((p) => p.message)).toEqual(["node 't': scope names no node 'ghost'"]);
  });

  it('reports a try_catch watching a node that runs after it', () => {
    const d = doc(
      [
        { id: 'src', type: 'static_data' },
        { id: 't', type: 'try_catch', config: { scope: ['src', 'shown', 't'] } },
        { id: 'shown', type: 'display_results' },
      ],
      [{ source: 't', target: 'shown' }],
    );
    expect(validateLocally(d, catalog).map((p) => [p.code, p.message])).toEqual([
      ['cycle', "node 't': cannot watch 'shown', which runs after it"],
      ['cycle', "node 't': cannot watch 't', which runs after it"],
    ]);
  });
});

describe('findCycles', () => {
  it('returns one cycle per strongly connected component', () => {
    const cycles = findCycles(['a', 'b', 'c', 'd', 'e'], [edge('a', 'b'), edge('b', 'a'), edge('c', 'd'), edge('d', 'e'), edge('e', 'c')]);
    expect(cycles).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'e', 'c'],
    ]);
  });

  it('handles long chains without recursion', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i) => edge(ids[i]!, id));
    expect(findCycles(ids, edges)).toEqual([]);
  });
});
