import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../../lib/catalog';
import { catalog } from '../../test/fixtures';
import { ConfigForm, type ConfigFormProps } from '.';
import { VALIDATE_DELAY_MS } from './widgets/ExpressionInput';

const schemaOf = (type: string): JsonSchema => catalog.find((e) => e.type === type)!.config_schema;

type HarnessProps = Omit<ConfigFormProps, 'schema' | 'value' | 'onChange'> & {
  type: string;
  initial?: Record<string, unknown>;
  spy?: (v: Record<string, unknown>) => void;
};

function Harness({ type, initial = {}, spy, ...rest }: HarnessProps) {
  const [value, setValue] = useState(initial);
  return (
    <ConfigForm
      schema={schemaOf(type)}
      value={value}
      onChange={(v) => {
        setValue(v);
        spy?.(v);
      }}
      {...rest}
    />
  );
}

function setup(props: HarnessProps) {
  const spy = vi.fn<(v: Record<string, unknown>) => void>();
  const user = userEvent.setup();
  render(<Harness spy={spy} {...props} />);
  return { spy, user, last: () => spy.mock.lastCall?.[0] };
}

afterEach(() => vi.useRealTimers());

describe('scalars and enums', () => {
  it('renders enums as selects with the default named, and removes the key when reset', async () => {
    const { user, last } = setup({ type: 'join_merge' });
    const how = screen.getByLabelText('How') as HTMLSelectElement;
    expect([...how.options].map((o) => o.text)).toEqual(['default (inner)', 'inner', 'left', 'right', 'outer', 'cross', 'semi', 'anti']);
    await user.selectOptions(how, 'anti');
    expect(last()).toEqual({ how: 'anti' });
    await user.selectOptions(how, 'default (inner)');
    expect(last()).toEqual({});
  });

  it('edits optional strings and integers (anyOf with null)', async () => {
    const { user, last } = setup({ type: 'display_results' });
    await user.type(screen.getByLabelText('Name'), 'totals');
    await user.type(screen.getByLabelText('Limit'), '25');
    expect(last()).toEqual({ name: 'totals', limit: 25 });
    expect(screen.getByLabelText('Limit')).toHaveProperty('min', '0');
    await user.clear(screen.getByLabelText('Name'));
    expect(last()).toEqual({ limit: 25 });
  });

  it('edits booleans, showing the default when unset', async () => {
    const { user, last } = setup({ type: 'union_concatenate' });
    const distinct = screen.getByLabelText('Distinct') as HTMLInputElement;
    expect(distinct.checked).toBe(false);
    await user.click(distinct);
    expect(last()).toEqual({ distinct: true });
  });

  it('shows descriptions and marks required fields', () => {
    setup({ type: 'select_columns' });
    expect(screen.getByText('Columns to keep (in this order) or to drop.')).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Columns' }).classList).toContain('required');
    expect(screen.getByLabelText('Mode').closest('.field')!.classList).not.toContain('required');
  });

  it('says so when a node has no settings', () => {
    render(<ConfigForm schema={{ type: 'object', properties: {} }} value={{}} onChange={() => {}} />);
    expect(screen.getByText('This node has no settings.')).toBeTruthy();
  });
});

describe('column pickers', () => {
  it('offers the upstream columns for a columns widget and keeps their order', async () => {
    const { user, last } = setup({ type: 'group_aggregate', columns: ['region', 'amount', 'day'] });
    const group = screen.getByRole('group', { name: 'Group By' });
    await user.click(within(group).getByRole('button', { name: 'Add column' }));
    await user.click(within(group).getByRole('button', { name: 'Add column' }));
    expect(last()).toEqual({ group_by: ['region', 'amount'] });
    await user.selectOptions(within(group).getByLabelText('Group By 2'), 'day');
    await user.click(within(group).getByRole('button', { name: 'Move Group By 2 up' }));
    expect(last()).toEqual({ group_by: ['day', 'region'] });
    await user.click(within(group).getByRole('button', { name: 'Remove Group By 1' }));
    await user.click(within(group).getByRole('button', { name: 'Remove Group By 1' }));
    expect(last()).toEqual({});
  });

  it('falls back to text inputs while the columns are unknown', async () => {
    const { user, last } = setup({ type: 'select_columns' });
    const group = screen.getByRole('group', { name: 'Columns' });
    await user.click(within(group).getByRole('button', { name: 'Add column' }));
    await user.type(within(group).getByLabelText('Columns 1'), 'city');
    expect(last()).toEqual({ columns: ['city'] });
  });

  it('keeps a chosen column that the input no longer has, marked', () => {
    setup({ type: 'join_merge', columns: ['id'], initial: { on: ['cust'] } });
    const select = screen.getByLabelText('On 1') as HTMLSelectElement;
    expect(select.value).toBe('cust');
    expect(screen.getByText('cust (not in the input)')).toBeTruthy();
  });

  it('renders a single column widget as a select', async () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { column: { type: 'string', title: 'Column', 'x-maxdp-widget': 'column' } },
    };
    const spy = vi.fn();
    render(<ConfigForm schema={schema} value={{}} onChange={spy} columns={['a', 'b']} />);
    await userEvent.setup().selectOptions(screen.getByLabelText('Column'), 'b');
    expect(spy).toHaveBeenLastCalledWith({ column: 'b' });
  });
});

describe('lists of objects with $ref', () => {
  it('adds, fills and removes aggregation rows', async () => {
    const { user, last } = setup({ type: 'group_aggregate' });
    await user.click(screen.getByRole('button', { name: 'Add aggregations' }));
    const row = screen.getByRole('group', { name: 'Aggregations 1' });
    const fn = within(row).getByLabelText('Function') as HTMLSelectElement;
    expect(fn.options[0]!.text).toBe('— choose —');
    await user.selectOptions(fn, 'percentile');
    await user.type(within(row).getByLabelText('Column'), 'amount');
    await user.type(within(row).getByLabelText('Q'), '0.9');
    await user.type(within(row).getByLabelText('As'), 'p90');
    expect(last()).toEqual({ aggregations: [{ function: 'percentile', column: 'amount', q: 0.9, as: 'p90' }] });
    await user.click(screen.getByRole('button', { name: 'Remove Aggregations 1' }));
    expect(last()).toEqual({});
  });

  it('renders existing rows with their values and a nested default', () => {
    setup({ type: 'sort_data', initial: { by: [{ column: 'n', ascending: false }] } });
    const row = screen.getByRole('group', { name: 'By 1' });
    expect((within(row).getByLabelText('Column') as HTMLInputElement).value).toBe('n');
    expect((within(row).getByLabelText('Ascending') as HTMLInputElement).checked).toBe(false);
  });

  it('shows problems next to nested fields by path', () => {
    setup({
      type: 'group_aggregate',
      initial: { aggregations: [{ function: 'sum' }] },
      errors: { 'aggregations.0.function': 'Input should be sum, mean …' },
    });
    const row = screen.getByRole('group', { name: 'Aggregations 1' });
    expect(within(row).getByRole('alert').textContent).toBe('Input should be sum, mean …');
  });
});

describe('nested objects, maps, tuples, unions and JSON', () => {
  it('edits a nested $ref object inline and drops it when emptied', async () => {
    const { user, last } = setup({ type: 'file_input' });
    const options = screen.getByRole('group', { name: 'Options' });
    await user.type(within(options).getByLabelText('Delimiter'), ';');
    expect(last()).toEqual({ options: { delimiter: ';' } });
    await user.clear(within(options).getByLabelText('Delimiter'));
    expect(last()).toEqual({});
  });

  it('keeps a primitive union as a number when it reads as one', async () => {
    const { user, last } = setup({ type: 'file_input' });
    const sheet = screen.getByLabelText('Sheet');
    await user.type(sheet, '2');
    expect(last()).toEqual({ options: { sheet: 2 } });
    await user.clear(sheet);
    await user.type(sheet, 'Q1');
    expect(last()).toEqual({ options: { sheet: 'Q1' } });
  });

  it('offers an optional enum with a way back to the default', async () => {
    const { user, last } = setup({ type: 'file_input', initial: { path: 'a.csv' } });
    await user.selectOptions(screen.getByLabelText('Format'), 'parquet');
    expect(last()).toEqual({ path: 'a.csv', format: 'parquet' });
  });

  it('edits a map with typed values and column suggestions for keys', async () => {
    const { user, last } = setup({ type: 'change_data_type', columns: ['amount'] });
    const types = screen.getByRole('group', { name: 'Types' });
    await user.click(within(types).getByRole('button', { name: 'Add entry' }));
    await user.type(within(types).getByLabelText('Types 1 key'), 'amount');
    expect(last()).toEqual({}); // a key without a value writes nothing yet
    await user.selectOptions(within(types).getByLabelText('Types 1 value'), 'float');
    expect(last()).toEqual({ types: { amount: 'float' } });
    expect(document.querySelector('datalist option')?.getAttribute('value')).toBe('amount');
  });

  it('renames map keys without losing the row', async () => {
    const { user, last } = setup({ type: 'rename_columns', initial: { mapping: { a: 'b' } } });
    const key = screen.getByLabelText('Mapping 1 key');
    await user.clear(key);
    expect(screen.getByLabelText('Mapping 1 key')).toBeTruthy();
    await user.type(key, 'x');
    expect(last()).toEqual({ mapping: { x: 'b' } });
  });

  it('edits a fixed-length tuple from its default', async () => {
    const { user, last } = setup({ type: 'join_merge' });
    const second = screen.getByLabelText('Suffixes 2') as HTMLInputElement;
    expect(second.value).toBe('_right');
    await user.type(second, 'X');
    expect(last()).toEqual({ suffixes: ['_left', '_rightX'] });
  });

  it('edits free-form values as JSON, reporting bad JSON', async () => {
    const { user, last } = setup({ type: 'static_data' });
    const rows = screen.getByLabelText('Rows');
    fireEvent.change(rows, { target: { value: '[{"a": 1}' } });
    fireEvent.blur(rows);
    expect(screen.getByRole('alert').textContent).toMatch(/^Invalid JSON/);
    fireEvent.change(rows, { target: { value: '[{"a": 1}]' } });
    fireEvent.blur(rows);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(last()).toEqual({ rows: [{ a: 1 }] });
    await user.click(screen.getByRole('button', { name: 'Add columns' }));
    expect(screen.getByLabelText('Columns 1')).toBeTruthy();
  });

  it('picks try_catch scope from the other nodes', async () => {
    const nodes = [
      { id: 'load', label: 'Load' },
      { id: 'kr', label: 'kr' },
    ];
    const { user, last } = setup({ type: 'try_catch', nodes });
    await user.click(screen.getByLabelText('kr'));
    await user.click(screen.getByLabelText('Load (load)'));
    expect(last()).toEqual({ scope: ['load', 'kr'] });
  });
});

describe('expressions', () => {
  it('validates as the user types, after a pause, and shows the message', async () => {
    vi.useFakeTimers();
    const onValidate = vi.fn((expr: string) => (expr.includes('==') ? null : `cannot parse: ${expr}`));
    render(<Harness type="filter_rows" onValidate={onValidate} />);
    const input = screen.getByLabelText('Condition');
    fireEvent.change(input, { target: { value: 'amount >' } });
    fireEvent.change(input, { target: { value: 'amount >>' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS);
    });
    expect(onValidate).toHaveBeenCalledTimes(1);
    expect(onValidate).toHaveBeenLastCalledWith('amount >>', 'condition');
    expect(screen.getByRole('alert').textContent).toBe('cannot parse: amount >>');
    expect(input.getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(input, { target: { value: 'region == @region' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS);
    });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('ignores an older answer that arrives after a newer one', async () => {
    vi.useFakeTimers();
    const answers: Array<(v: string | null) => void> = [];
    const onValidate = vi.fn(() => new Promise<string | null>((resolve) => answers.push(resolve)));
    render(<Harness type="conditional_branch" initial={{ condition: 'a' }} onValidate={onValidate} />);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS);
    });
    fireEvent.blur(screen.getByLabelText('Condition'));
    await act(async () => {
      answers[1]!(null);
      answers[0]!('stale error');
    });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reports a validator that fails', async () => {
    const onValidate = vi.fn(async () => {
      throw new Error('offline');
    });
    render(<Harness type="filter_rows" initial={{ condition: 'x > 1' }} onValidate={onValidate} />);
    fireEvent.blur(screen.getByLabelText('Condition'));
    expect((await screen.findByRole('alert')).textContent).toBe('could not check the expression: offline');
  });

  it('works without a validator', async () => {
    const { user, last } = setup({ type: 'filter_rows' });
    await user.type(screen.getByLabelText('Condition'), 'x > 1');
    expect(last()).toEqual({ condition: 'x > 1' });
  });
});
