// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { catalog } from '../test/fixtures';
import { groupCatalog, indexCatalog, resolvePort } from './catalog';

describe('catalog', () => {
  it('groups by category in catalog order', () => {
    const groups = groupCatalog(catalog);
    expect(groups.map((g) => g.category)).toEqual(['Sources', 'Rows', 'Columns', 'Aggregate and reshape', 'Combine', 'Control', 'Sinks']);
    expect(groups[0]!.entries.map((e) => e.type)).toEqual(['static_data', 'file_input']);
  });

  it('searches type, title and description with every word', () => {
    expect(groupCatalog(catalog, 'join').flatMap((g) => g.entries.map((e) => e.type))).toEqual(['join_merge']);
    expect(groupCatalog(catalog, 'GROUP agg').flatMap((g) => g.entries.map((e) => e.type))).toEqual(['group_aggregate']);
    expect(groupCatalog(catalog, 'nothing-like-this')).toEqual([]);
  });

  it('resolves a named port, the only one, or the main one', () => {
    const index = indexCatalog(catalog);
    const filter = index.get('filter_rows')!;
    expect(resolvePort(filter.inputs, null, 'in')?.name).toBe('in');
    expect(resolvePort(filter.outputs, null, 'out')?.name).toBe('out');
    expect(resolvePort(filter.outputs, 'rejected', 'out')?.name).toBe('rejected');
    expect(resolvePort(filter.outputs, 'nope', 'out')).toBeUndefined();
    expect(resolvePort(index.get('conditional_branch')!.outputs, null, 'out')).toBeUndefined();
    expect(resolvePort(index.get('join_merge')!.inputs, '', 'in')).toBeUndefined();
    expect(resolvePort(index.get('static_data')!.inputs, null, 'in')).toBeUndefined();
  });

  it('has the fixture shapes the designer relies on', () => {
    const index = indexCatalog(catalog);
    expect(index.get('merge')!.inputs[0]).toMatchObject({ name: 'in', many: true });
    expect(index.get('try_catch')!.inputs).toEqual([]);
    expect(index.get('conditional_branch')!.outputs.map((p) => p.name)).toEqual(['true', 'false']);
    expect(index.get('join_merge')!.inputs.map((p) => p.name)).toEqual(['left', 'right']);
  });
});
