// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { FlowParameter } from './flow-document';
import {
  followRenames,
  formatDefault,
  keepDeclared,
  newParameter,
  newParameterName,
  parameterNameProblem,
  paramsToSend,
  parseDefault,
  renamedConfigs,
  renameSummary,
  retype,
} from './parameters';

describe('parseDefault', () => {
  it('types what was written as the document wants it', () => {
    expect(parseDefault('integer', ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(parseDefault('integer', '-3')).toEqual({ ok: true, value: -3 });
    expect(parseDefault('number', '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(parseDefault('number', '1e3')).toEqual({ ok: true, value: 1000 });
    expect(parseDefault('boolean', 'True')).toEqual({ ok: true, value: true });
    expect(parseDefault('boolean', 'false')).toEqual({ ok: true, value: false });
    expect(parseDefault('date', '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(parseDefault('string', ' KR ')).toEqual({ ok: true, value: ' KR ' });
  });

  it('makes lists from comma-separated text, items typed', () => {
    expect(parseDefault('list', 'KR, US ,JP')).toEqual({ ok: true, value: ['KR', 'US', 'JP'] });
    expect(parseDefault('list', '1, 2,', 'integer')).toEqual({ ok: true, value: [1, 2] });
    expect(parseDefault('list', '0.5, 2', 'number')).toEqual({ ok: true, value: [0.5, 2] });
    expect(parseDefault('list', '1, x', 'integer')).toEqual({ ok: false, error: "item 2: expected an integer, got 'x'" });
  });

  it('empty is null', () => {
    for (const type of ['string', 'integer', 'number', 'boolean', 'date', 'list'] as const) {
      expect(parseDefault(type, '')).toEqual({ ok: true, value: null });
    }
    expect(parseDefault('integer', '   ')).toEqual({ ok: true, value: null });
  });

  it('says what does not fit', () => {
    expect(parseDefault('integer', '1.5')).toEqual({ ok: false, error: "expected an integer, got '1.5'" });
    expect(parseDefault('integer', 'x')).toEqual({ ok: false, error: "expected an integer, got 'x'" });
    expect(parseDefault('number', 'ten')).toEqual({ ok: false, error: "expected a number, got 'ten'" });
    expect(parseDefault('boolean', 'yes')).toEqual({ ok: false, error: "expected true or false, got 'yes'" });
    expect(parseDefault('date', '2023-02-29')).toEqual({ ok: false, error: "expected a date as YYYY-MM-DD, got '2023-02-29'" });
    expect(parseDefault('date', '1/2/2024').ok).toBe(false);
  });
});

describe('parameter helpers', () => {
  it('formats defaults for their inputs', () => {
    expect(formatDefault(null)).toBe('');
    expect(formatDefault(undefined)).toBe('');
    expect(formatDefault(20)).toBe('20');
    expect(formatDefault(['KR', 'US'])).toBe('KR, US');
    expect(formatDefault(true)).toBe('true');
  });

  it('names new parameters param1, param2 …', () => {
    expect(newParameterName([])).toBe('param1');
    expect(newParameterName(['param1', 'param3'])).toBe('param2');
    expect(newParameter(['param1'])).toEqual({ name: 'param2', type: 'string', required: false, default: null, description: '' });
  });

  it('checks names against the document rule and the other parameters', () => {
    const params: FlowParameter[] = [
      { name: 'a', type: 'string' },
      { name: 'b', type: 'string' },
    ];
    expect(parameterNameProblem(params, 0, 'c')).toBeNull();
    expect(parameterNameProblem(params, 0, 'a')).toBeNull();
    expect(parameterNameProblem(params, 0, 'b')).toBe("parameter 'b' is already declared");
    expect(parameterNameProblem(params, 0, '1x')).toMatch(/start with a letter/);
    expect(parameterNameProblem(params, 0, 'has-dash')).toMatch(/start with a letter/);
  });

  it('converts the default on a change of type, or clears it', () => {
    const p: FlowParameter = { name: 'n', type: 'string', default: '20' };
    expect(retype(p, 'integer')).toEqual({ name: 'n', type: 'integer', default: 20 });
    expect(retype({ ...p, default: 'abc' }, 'integer')).toEqual({ name: 'n', type: 'integer', default: null });
    expect(retype(p, 'list')).toEqual({ name: 'n', type: 'list', items: 'string', default: ['20'] });
    expect(retype({ name: 'n', type: 'list', items: 'string', default: ['1', '2'] }, 'list', 'integer')).toEqual({
      name: 'n',
      type: 'list',
      items: 'integer',
      default: [1, 2],
    });
    expect(retype({ name: 'n', type: 'list', items: 'integer', default: [1] }, 'string')).toEqual({ name: 'n', type: 'string', default: '1' });
  });

  it('sends only non-empty values of declared parameters', () => {
    const params: FlowParameter[] = [
      { name: 'a', type: 'string' },
      { name: 'b', type: 'integer' },
    ];
    expect(paramsToSend(params, { a: 'x', b: ' ', gone: '1' })).toEqual({ a: 'x' });
    expect(paramsToSend(undefined, { a: 'x' })).toEqual({});
  });

  it('drops values of parameters no longer declared', () => {
    const values = { a: '1', b: '2' };
    expect(keepDeclared(values, [{ name: 'a', type: 'string' }])).toEqual({ a: '1' });
    expect(keepDeclared(values, [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }])).toBe(values);
  });
});

describe('renaming', () => {
  const answer = {
    document: {
      name: 'f',
      nodes: [
        { id: 'keep', type: 'filter_rows', config: { condition: 'x > @floor' } },
        { id: 'other', type: 'sort_data', config: { by: [] } },
        { id: 'sql', type: 'custom_sql', config: { connection: 'db', sql: 'SELECT :floor' } },
      ],
    },
    changed: [
      { node_id: 'keep', field: 'condition' },
      { node_id: 'sql', field: 'sql' },
    ],
    skipped: [],
  };

  it("takes the changed nodes' configs from the renamed document", () => {
    expect(renamedConfigs(answer)).toEqual({
      keep: { condition: 'x > @floor' },
      sql: { connection: 'db', sql: 'SELECT :floor' },
    });
    expect(renamedConfigs({ ...answer, changed: [] })).toEqual({});
  });

  it('says where the uses were renamed, and which fields were left', () => {
    expect(renameSummary('@min', '@floor', answer)).toBe('Renamed @min to @floor in 2 places: keep.condition, sql.sql.');
    expect(renameSummary('@min', '@floor', { ...answer, changed: [] })).toBe('No node used @min.');
    const skipped = [{ node_id: 'keep', field: 'condition', reason: 'unterminated backtick' }];
    expect(renameSummary('@min', '@floor', { ...answer, changed: answer.changed.slice(1), skipped })).toBe(
      'Renamed @min to @floor in 1 place: sql.sql. Left as they were, check them: keep.condition (unterminated backtick).',
    );
  });

  it('moves a test value to the new name of its parameter', () => {
    const before: FlowParameter[] = [
      { name: 'a', type: 'string' },
      { name: 'b', type: 'string' },
    ];
    const renamed: FlowParameter[] = [
      { name: 'a', type: 'string' },
      { name: 'c', type: 'string' },
    ];
    const values = { a: '1', b: '2' };
    expect(followRenames(values, before, renamed)).toEqual({ a: '1', c: '2' });
    expect(followRenames(values, before, before)).toBe(values);
    expect(followRenames(values, before, renamed.slice(0, 1))).toBe(values); // a removal, not a rename
  });
});
