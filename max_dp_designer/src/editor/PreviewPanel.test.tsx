import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { DataTable } from './PreviewPanel';

const rows = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, city: i % 10 === 0 ? null : `c${i}` }));
const columns = [
  { name: 'id', dtype: 'int64', nulls: 0 },
  { name: 'city', dtype: 'object', nulls: 3 },
];

function Table() {
  const [page, setPage] = useState(0);
  return <DataTable columns={columns} rows={rows} page={page} onPage={setPage} />;
}

describe('DataTable', () => {
  it('shows column types and null counts, nulls marked, 25 rows a page', async () => {
    render(<Table />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['#', 'idint0 null', 'citytext3 null']);
    expect(screen.getAllByRole('row')).toHaveLength(26); // header + 25
    const first = screen.getAllByRole('row')[1]!;
    expect(within(first).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1', '1', 'null']);
    expect(screen.getByText('rows 1–25 of 30 · page 1 of 2')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('rows 26–30 of 30 · page 2 of 2')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(6);
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
