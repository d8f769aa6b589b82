// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../lib/flow-document';
import { fieldProblem, formatCell, outputKey, pageOf, previewColumns, shortType, subDocument, withConfigValue } from './logic';

function diamond(): FlowDocument {
  return {
    schema_version: 1,
    name: 'd',
    parameters: [{ name: 'region', type: 'string', default: 'KR' }],
    nodes: [
      { id: 'src', type: 'static_data', config: { rows: [] }, position: { x: 0, y: 0 } },
      { id: 'a', type: 'filter_rows', config: { condition: 'x > 1' } },
      { id: 'b', type: 'filter_rows', config: { condition: 'x < 1' } },
      { id: 'join', type: 'union_concatenate', config: {} },
      { id: 'out', type: 'display_results', config: {} },
      { id: 'guard', type: 'try_catch', config: { scope: ['a', 'out'] } },
    ],
    edges: [
      { source: 'src', target: 'a' },
      { source: 'src', target: 'b' },
      { source: 'a', target: 'join', source_port: 'out' },
      { source: 'b', target: 'join', source_port: 'out' },
      { source: 'join', target: 'out' },
    ],
  };
}

describe('subDocument', () => {
  it('keeps the node and its ancestors, their edges and the parameters', () => {
    const sub = subDocument(diamond(), 'a');
    expect(sub.nodes.map((n) => n.id)).toEqual(['src', 'a']);
    expect(sub.edges).toEqual([{ source: 'src', target: 'a' }]);
    expect(sub.parameters).toEqual(diamond().parameters);
  });

  it('keeps every path of a diamond', () => {
    const sub = subDocument(diamond(), 'join');
    expect(sub.nodes.map((n) => n.id)).toEqual(['src', 'a', 'b', 'join']);
    expect(sub.edges).toHaveLength(4);
  });

  it('narrows a kept try_catch scope to the kept nodes', () => {
    const doc = diamond();
    doc.edges.push({ source: 'guard', target: 'join' });
    const sub = subDocument(doc, 'join');
    expect(sub.nodes.find((n) => n.id === 'guard')!.config).toEqual({ scope: ['a'] });
  });
});

describe('outputKey', () => {
  it('ignores positions, labels and nodes downstream', () => {
    const doc = diamond();
    const moved = diamond();
    moved.nodes[0]!.position = { x: 500, y: 9 };
    moved.nodes[0]!.label = 'Source';
    moved.nodes[4]!.config = { name: 'renamed' };
    expect(outputKey(moved, 'a')).toBe(outputKey(doc, 'a'));
  });

  it('changes with an upstream config or edge', () => {
    const doc = diamond();
    const edited = withConfigValue(doc, 'src', 'rows', [{ x: 1 }]);
    expect(outputKey(edited, 'a')).not.toBe(outputKey(doc, 'a'));
    expect(outputKey({ ...doc, edges: doc.edges.slice(1) }, 'a')).not.toBe(outputKey(doc, 'a'));
  });
});

describe('withConfigValue', () => {
  it('sets a dotted path, creating lists and objects, without touching the original', () => {
    const doc = diamond();
    const next = withConfigValue(doc, 'out', 'aggregations.1.expr', 'x + 1');
    expect(next.nodes[4]!.config).toEqual({ aggregations: [undefined, { expr: 'x + 1' }] });
    expect(doc.nodes[4]!.config).toEqual({});
    expect(withConfigValue(doc, 'a', 'condition', 'y').nodes[1]!.config).toEqual({ condition: 'y' });
  });
});

describe('fieldProblem', () => {
  const problems = [
    { code: 'invalid_expression', message: "node 'a': condition: invalid syntax (at position 5)", node_id: 'a', edge: null, field: 'condition' },
    { code: 'invalid_config', message: "node 'b': condition: Field required", node_id: 'b', edge: null, field: 'condition' },
  ];
  it('finds the problem of that node and field, without the prefixes', () => {
    expect(fieldProblem(problems, 'a', 'condition')).toBe('invalid syntax (at position 5)');
    expect(fieldProblem(problems, 'a', 'other')).toBeNull();
    expect(fieldProblem(problems, 'c', 'condition')).toBeNull();
  });
});

describe('previewColumns', () => {
  it('maps every previewed node to its column names', () => {
    expect(
      previewColumns({
        nodes: {
          src: { columns: [{ name: 'region', dtype: 'str', nulls: 0 }, { name: 'amount', dtype: 'float64', nulls: 1 }] },
          failed: { columns: [] },
        },
      }),
    ).toEqual({ src: ['region', 'amount'] });
  });
});

describe('pageOf', () => {
  const rows = Array.from({ length: 60 }, (_, i) => i);
  it('slices pages and reports the range', () => {
    expect(pageOf(rows, 0, 25)).toMatchObject({ page: 0, pages: 3, from: 1, to: 25 });
    expect(pageOf(rows, 2, 25)).toMatchObject({ rows: rows.slice(50), from: 51, to: 60 });
  });
  it('clamps the page into range, and an empty table has one empty page', () => {
    expect(pageOf(rows, 9, 25).page).toBe(2);
    expect(pageOf(rows, -1, 25).page).toBe(0);
    expect(pageOf([], 0, 25)).toMatchObject({ rows: [], page: 0, pages: 1, from: 0, to: 0 });
  });
});

describe('cells and types', () => {
  it('formats cells, marking nulls', () => {
    expect(formatCell(null)).toEqual({ text: 'null', isNull: true });
    expect(formatCell(0)).toEqual({ text: '0', isNull: false });
    expect(formatCell({ a: 1 })).toEqual({ text: '{"a":1}', isNull: false });
  });
  it('shortens pandas dtypes', () => {
    expect(['int64', 'Int32', 'float64', 'datetime64[ns, UTC]', 'bool', 'object', 'str', 'category'].map(shortType)).toEqual([
      'int',
      'int',
      'float',
      'datetime',
      'bool',
      'text',
      'text',
      'category',
    ]);
  });
});
