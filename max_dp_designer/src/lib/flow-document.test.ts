// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog, exampleDocument } from '../test/fixtures';
import { indexCatalog } from './catalog';
import { documentToGraph, graphToDocument, makeNode, nodeKindFor, parseFlowDocument, type FlowDocument } from './flow-document';

const index = indexCatalog(catalog);

describe('documentToGraph', () => {
  it('names omitted ports after the only port on that side', () => {
    const { edges } = documentToGraph(exampleDocument(), index);
    expect(edges[0]).toMatchObject({ source: 'orders', target: 'kr', sourceHandle: 'out', targetHandle: 'in' });
  });

  it('keeps node data and reports missing positions', () => {
    const graph = documentToGraph(exampleDocument(), index);
    expect(graph.missingPositions).toBe(true);
    expect(graph.nodes[0]).toMatchObject({
      id: 'orders',
      type: 'step',
      position: { x: 0, y: 0 },
      data: { nodeType: 'static_data', label: 'Orders', config: { rows: [{ region: 'KR', amount: 10 }] } },
    });
    expect(graph.meta).toMatchObject({ name: 'orders-by-region', parameters: [{ name: 'region' }] });
  });

  it('uses the catch node kind for try_catch', () => {
    expect(nodeKindFor('try_catch')).toBe('catch');
    expect(nodeKindFor('filter_rows')).toBe('step');
  });

  it('names the main port when a node with several leaves it out', () => {
    const doc: FlowDocument = {
      schema_version: 1,
      name: 'x',
      nodes: [
        { id: 'f', type: 'filter_rows', config: { condition: 'x' } },
        { id: 'o', type: 'display_results' },
      ],
      edges: [{ source: 'f', target: 'o' }],
    };
    const graph = documentToGraph(doc, index);
    expect(graph.edges[0]).toMatchObject({ sourceHandle: 'out', targetHandle: 'in' });
    // Written back explicitly: filter_rows has two outputs.
    expect(graphToDocument(graph.meta, graph.nodes, graph.edges, index).edges).toEqual([{ source: 'f', target: 'o', source_port: 'out' }]);
  });

  it('keeps ports it cannot resolve as written', () => {
    const doc: FlowDocument = {
      schema_version: 1,
      name: 'x',
      nodes: [
        { id: 'a', type: 'conditional_branch', config: { condition: 'x > 1' } },
        { id: 'b', type: 'no_such_type' },
      ],
      edges: [{ source: 'a', target: 'b', target_port: 'zz' }],
    };
    const [edge] = documentToGraph(doc, index).edges;
    expect(edge).toMatchObject({ sourceHandle: null, targetHandle: 'zz' });
  });
});

describe('graphToDocument', () => {
  it('round-trips, omitting ports only where the node has a single one', () => {
    const doc = exampleDocument();
    doc.nodes.forEach((n, i) => (n.position = { x: i * 100, y: 0 }));
    const graph = documentToGraph(doc, index);
    const back = graphToDocument(graph.meta, graph.nodes, graph.edges, index);
    expect(back.edges).toEqual([
      { source: 'orders', target: 'kr' },
      { source: 'kr', target: 'out', source_port: 'out' },
    ]);
    expect(back.nodes).toEqual(doc.nodes.map((n) => ({ ...n, config: n.config ?? {} })));
    expect(back.parameters).toEqual(doc.parameters);
    expect(back.schema_version).toBe(1);
  });

  it('writes the port when the node has several on that side', () => {
    const doc: FlowDocument = {
      schema_version: 1,
      name: 'x',
      nodes: [
        { id: 'a', type: 'filter_rows', config: { condition: 'x > 1' }, position: { x: 0, y: 0 } },
        { id: 'l', type: 'static_data', position: { x: 0, y: 0 } },
        { id: 'j', type: 'join_merge', position: { x: 0, y: 0 } },
      ],
      edges: [
        { source: 'a', target: 'j', source_port: 'rejected', target_port: 'right' },
        { source: 'l', target: 'j', target_port: 'left', id: 'keep-me' },
      ],
    };
    const graph = documentToGraph(doc, index);
    expect(graphToDocument(graph.meta, graph.nodes, graph.edges, index).edges).toEqual([
      { source: 'a', target: 'j', source_port: 'rejected', target_port: 'right' },
      { source: 'l', target: 'j', target_port: 'left', id: 'keep-me' },
    ]);
  });

  it('carries node fields the canvas does not edit', () => {
    const node = makeNode(
      { id: 'a', type: 'filter_rows', config: { condition: 'x' }, retries: 2, timeout_s: 5, description: 'd' },
      { x: 1.4, y: 2.6 },
    );
    const doc = graphToDocument({ schema_version: 1, name: 'n' }, [node], [], index);
    expect(doc.nodes[0]).toEqual({
      id: 'a',
      type: 'filter_rows',
      config: { condition: 'x' },
      position: { x: 1, y: 3 },
      retries: 2,
      timeout_s: 5,
      description: 'd',
    });
  });
});

describe('parseFlowDocument', () => {
  it('accepts a document and fills missing lists', () => {
    const doc = parseFlowDocument('{"name": "n"}');
    expect(doc).toMatchObject({ schema_version: 1, name: 'n', nodes: [], edges: [] });
  });

  it.each([
    ['nope', /not JSON/],
    ['[]', /JSON object/],
    ['{"name": ""}', /name/],
    ['{"name": "n", "schema_version": 2}', /schema_version/],
    ['{"name": "n", "nodes": {}}', /nodes: a list/],
    ['{"name": "n", "nodes": [{"id": "a"}]}', /nodes\.0/],
    ['{"name": "n", "edges": [{"source": "a"}]}', /edges\.0/],
  ])('refuses %s', (text, message) => {
    expect(() => parseFlowDocument(text)).toThrow(message);
  });
});
