// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog } from '../test/fixtures';
import type { JsonSchema } from './catalog';
import { describeField, fieldKind, humanize, objectFields, resolveRef, unwrapNullable } from './json-schema';

const schemaOf = (type: string): JsonSchema => catalog.find((e) => e.type === type)!.config_schema;
const kinds = (type: string) => Object.fromEntries(objectFields(schemaOf(type), schemaOf(type)).map((f) => [f.name, f.kind]));

describe('resolveRef', () => {
  it('follows $defs and keeps sibling keys', () => {
    const root: JsonSchema = { $defs: { K: { type: 'object', title: 'K', properties: {} } } };
    expect(resolveRef({ $ref: '#/$defs/K', description: 'd' }, root)).toEqual({ type: 'object', title: 'K', properties: {}, description: 'd' });
  });

  it('throws on unknown refs', () => {
    expect(() => resolveRef({ $ref: '#/$defs/Nope' }, {})).toThrow(/unknown \$ref/);
    expect(() => resolveRef({ $ref: 'http://x' }, {})).toThrow(/unsupported/);
  });
});

describe('unwrapNullable', () => {
  it('unwraps X | None and keeps the outer title, default and description', () => {
    const field = schemaOf('display_results').properties!.limit!;
    expect(unwrapNullable(field, {})).toEqual({
      schema: { type: 'integer', minimum: 0, default: null, description: 'Keep at most this many rows.', title: 'Limit' },
      nullable: true,
    });
  });

  it('keeps several non-null variants as anyOf', () => {
    const res = unwrapNullable({ anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] }, {});
    expect(res.nullable).toBe(true);
    expect(res.schema.anyOf).toHaveLength(2);
  });

  it('handles type lists with null', () => {
    expect(unwrapNullable({ type: ['string', 'null'] }, {})).toEqual({ schema: { type: 'string' }, nullable: true });
  });

  it('leaves plain schemas alone', () => {
    expect(unwrapNullable({ type: 'string' }, {})).toEqual({ schema: { type: 'string' }, nullable: false });
  });
});

describe('fieldKind over the fixture catalog', () => {
  it('reads widgets, enums, lists of objects and tuples', () => {
    expect(kinds('filter_rows')).toEqual({ condition: 'expression' });
    expect(kinds('group_aggregate')).toEqual({ group_by: 'columns', aggregations: 'object-list' });
    expect(kinds('join_merge')).toEqual({ how: 'enum', on: 'columns', left_on: 'columns', right_on: 'columns', suffixes: 'tuple' });
    expect(kinds('try_catch')).toEqual({ scope: 'nodes' });
    expect(kinds('display_results')).toEqual({ name: 'string', limit: 'integer' });
    expect(kinds('sort_data')).toEqual({ by: 'object-list', na_position: 'enum' });
  });

  it('reads maps, nested objects, optional enums and free JSON', () => {
    expect(kinds('rename_columns')).toEqual({ mapping: 'map' });
    expect(kinds('change_data_type')).toEqual({ types: 'map', errors: 'enum', formats: 'map' });
    expect(kinds('file_input')).toEqual({ path: 'string', format: 'enum', options: 'object' });
    expect(kinds('static_data')).toEqual({ rows: 'json', columns: 'string-list', data: 'json' });
  });

  it('treats primitive unions as one text field', () => {
    const root = schemaOf('file_input');
    const options = resolveRef(root.properties!.options!, root);
    expect(fieldKind(unwrapNullable(options.properties!.sheet!, root).schema, root)).toBe('union');
  });

  it('falls back to JSON for what it cannot render', () => {
    expect(fieldKind({ type: 'array', items: { type: 'array' } }, {})).toBe('json');
    expect(fieldKind({ type: 'object', additionalProperties: true }, {})).toBe('json');
    expect(fieldKind({}, {})).toBe('json');
    expect(fieldKind({ type: 'array', items: { enum: ['a', 'b'] } }, {})).toBe('enum-list');
  });
});

describe('describeField', () => {
  it('labels, flags and defaults a field', () => {
    const root = schemaOf('join_merge');
    expect(describeField('how', root.properties!.how!, root, false)).toMatchObject({
      label: 'How',
      kind: 'enum',
      default: 'inner',
      nullable: false,
      required: false,
    });
    expect(describeField('some_thing', { type: 'string' }, {}, true)).toMatchObject({ label: 'Some thing', required: true });
    expect(humanize('left_on')).toBe('Left on');
  });
});
