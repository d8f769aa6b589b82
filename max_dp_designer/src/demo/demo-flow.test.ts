// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog } from '../test/fixtures';
import { validateLocally } from '../lib/graph-utils';
import { demoColumns, demoDocument, demoValidate } from './demo-flow';

describe('demo', () => {
  it('ships a flow that passes local validation', () => {
    expect(validateLocally(demoDocument(), catalog)).toEqual([]);
  });

  it('derives columns through the demo flow', () => {
    const doc = demoDocument();
    const inputs = (id: string) => doc.edges.filter((e) => e.target === id).map((e) => e.source);
    expect(demoColumns(doc.nodes, inputs)).toEqual({
      orders: ['region', 'amount', 'day'],
      large: ['region', 'amount', 'day'],
      totals: ['region', 'total'],
      out: ['region', 'total'],
      small: ['region', 'amount', 'day'],
    });
  });

  it.each([
    ['amount > 1', null],
    ['(a > 1', 'missing )'],
    ['a > 1)', 'unexpected )'],
    ["name == 'x", "unclosed '"],
    ['a >', 'expression ends with an operator'],
    ['a > 1 and', 'expression ends with an operator'],
  ])('checks %s', (expr, message) => {
    expect(demoValidate(expr, 'condition')).toBe(message);
  });
});
