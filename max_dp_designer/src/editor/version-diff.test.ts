// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fixture from '../test/fixtures/flow-diff.json';
import type { FlowDocument } from '../lib/flow-document';
import { describeEdge, formatValue, normalizeDiff, readableDiff } from './version-diff';

// The fixture's `answer` is the server's own (flow_store/diff.py through the FlowDiff model) for
// `from` -> `to`; tests/e2e/test_designer_fixtures.py keeps it so.
const before = fixture.from as unknown as FlowDocument;
const after = fixture.to as unknown as FlowDocument;

describe('readableDiff', () => {
  const diff = readableDiff(normalizeDiff(fixture.answer), before, after);

  it('lists the changed document fields with their values', () => {
    expect(diff.fields).toEqual([
      { field: 'description', before: '"Orders per region"', after: '"Orders per region, above a minimum"' },
      { field: 'timeout_s', before: '(not set)', after: '60' },
    ]);
  });

  it('names added and removed nodes with their types', () => {
    expect(diff.nodes.added).toEqual([{ id: 'out', type: 'display_results', label: null }]);
    expect(diff.nodes.removed).toEqual([{ id: 'old_out', type: 'display_results', label: null }]);
  });

  it('lists config keys, type and label before -> after; positions only counted', () => {
    expect(diff.nodes.changed).toEqual([
      {
        id: 'kr',
        type: 'filter_rows',
        label: 'Big orders',
        moved: true,
        changes: [
          { field: 'condition', before: '"amount > 20"', after: '"amount > @min_amount"' },
          { field: 'label', before: '(not set)', after: '"Big orders"' },
        ],
      },
      {
        id: 'sorted',
        type: 'select_columns',
        label: null,
        moved: true,
        changes: [
          { field: 'by', before: '["amount"]', after: '(not set)' },
          { field: 'columns', before: '(not set)', after: '["region","amount"]' },
          { field: 'type', before: '"sort_data"', after: '"select_columns"' },
        ],
      },
    ]);
    // "orders" only moved: not listed as changed, counted with the others.
    expect(diff.nodes.moved).toEqual(['orders', 'kr', 'sorted']);
  });

  it('describes edges by their endpoints and parameters by name', () => {
    expect(diff.edges).toEqual({ added: ['sorted → out'], removed: ['sorted → old_out'], changed: [] });
    expect(diff.parameters).toEqual({
      added: ['min_amount'],
      removed: ['limit'],
      changed: [{ name: 'region', changes: [{ field: 'default', before: '"KR"', after: '"US"' }] }],
    });
    expect(diff.empty).toBe(false);
  });

  it('still names what changed without the documents', () => {
    const bare = readableDiff(normalizeDiff(fixture.answer));
    expect(bare.nodes.changed[0]).toMatchObject({ id: 'kr', type: null, changes: [{ field: 'condition', before: '(not set)' }, { field: 'label' }] });
  });

  it('is empty when nothing differs', () => {
    expect(readableDiff(normalizeDiff(fixture.empty), after, after).empty).toBe(true);
  });
});

describe('formatValue and describeEdge', () => {
  it('quotes strings, writes JSON, cuts long values', () => {
    expect(formatValue('a')).toBe('"a"');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ x: 1 })).toBe('{"x":1}');
    const long = formatValue('x'.repeat(500));
    expect(long.length).toBe(120);
    expect(long.endsWith('…')).toBe(true);
  });

  it('writes ports only when the edge names them', () => {
    expect(describeEdge({ source: 'kr', source_port: 'rejected', target: 'out', target_port: null })).toBe('kr.rejected → out');
  });
});
