import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import * as api from '../api/services';
import { connectionFixture as connection } from '../test/fixtures';
import { ConnectionsPage } from './ConnectionsPage';

vi.mock('../api/services', () => ({
  listConnections: vi.fn(),
  createConnection: vi.fn(),
  updateConnection: vi.fn(),
  deleteConnection: vi.fn(),
  testConnection: vi.fn(),
  listTables: vi.fn(),
  listColumns: vi.fn(),
}));
vi.mock('./AppShell', () => ({ AppShell: ({ children }: { children: ReactNode }) => <>{children}</> }));

const mocked = vi.mocked(api);
const page = (items: api.Connection[]) => ({ items, total: items.length, limit: 500, offset: 0 });

beforeEach(() => {
  vi.resetAllMocks();
  mocked.listConnections.mockResolvedValue(page([connection]));
});

async function openEdit(conn: api.Connection = connection) {
  mocked.listConnections.mockResolvedValue(page([conn]));
  const user = userEvent.setup();
  render(<ConnectionsPage workspaceId="w1" />);
  const row = (await screen.findByText(conn.name, { selector: 'strong' })).closest('tr')!;
  await user.click(within(row).getByRole('button', { name: 'Edit' }));
  const form = within(screen.getByRole('form', { name: `Edit connection ${conn.name}` }));
  return { form, row, user };
}

const value = (el: HTMLElement) => (el as HTMLInputElement).value;
const stateOf = (input: HTMLElement) => document.getElementById(`${input.id}-state`)!.textContent;

describe('ConnectionsPage, editing', () => {
  it('opens prefilled; secrets show only whether they are set', async () => {
    const { form } = await openEdit();
    expect(value(form.getByLabelText('Name'))).toBe('warehouse');
    expect(value(form.getByLabelText('Description'))).toBe('the DW');
    expect(value(form.getByLabelText('Host'))).toBe('db.internal');
    expect(value(form.getByLabelText('Port'))).toBe('5432');
    expect(value(form.getByLabelText('User'))).toBe('reader');
    expect(value(form.getByLabelText('Database'))).toBe('dw');
    expect(JSON.parse(value(form.getByLabelText('Options')))).toEqual({ sslmode: 'require' });
    expect(value(form.getByLabelText('Statement timeout (s)'))).toBe('30');
    expect((form.getByLabelText('read-only sessions') as HTMLInputElement).checked).toBe(true);
    const password = form.getByLabelText('Password');
    expect(value(password)).toBe('');
    expect(stateOf(password)).toBe('set');
    expect(stateOf(form.getByLabelText('URL (DSN)'))).toBe('not set');
  });

  it('saves with a PATCH of only the changed fields, no secret unless typed', async () => {
    mocked.updateConnection.mockResolvedValue({ ...connection, name: 'dw', statement_timeout_s: 60 });
    const { form, user } = await openEdit();
    await user.clear(form.getByLabelText('Name'));
    await user.type(form.getByLabelText('Name'), 'dw');
    await user.clear(form.getByLabelText('Statement timeout (s)'));
    await user.type(form.getByLabelText('Statement timeout (s)'), '60');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateConnection).toHaveBeenCalledWith('c1', { name: 'dw', statement_timeout_s: 60 });
    await waitFor(() => expect(screen.queryByRole('form', { name: /^Edit connection/ })).toBeNull());
    expect(mocked.listConnections).toHaveBeenCalledTimes(2);
  });

  it('sends a secret only when typed, and null when cleared', async () => {
    mocked.updateConnection.mockResolvedValue(connection);
    const { form, user } = await openEdit();
    const password = form.getByLabelText('Password');
    await user.type(password, 'n3w-secret');
    expect(stateOf(password)).toBe('will be replaced');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateConnection).toHaveBeenLastCalledWith('c1', { password: 'n3w-secret' });

    const again = await openEdit();
    await again.user.click(again.form.getByRole('button', { name: 'Clear Password' }));
    expect(stateOf(again.form.getByLabelText('Password'))).toBe('will be removed');
    await again.user.click(again.form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateConnection).toHaveBeenLastCalledWith('c1', { password: null });
  });

  it('replaces or clears http headers as a whole', async () => {
    const http: api.Connection = { ...connection, id: 'c2', name: 'crm', kind: 'http', host: null, port: null, user: null, database: null, has_password: false, has_url: true, header_names: ['Authorization'], options: {} };
    mocked.updateConnection.mockResolvedValue(http);
    const { form, user } = await openEdit(http);
    expect(form.queryByLabelText('Password')).toBeNull();
    expect(stateOf(form.getByLabelText('Base URL'))).toBe('set');
    expect(form.getByText('set: Authorization')).toBeTruthy();
    await user.click(form.getByRole('button', { name: 'Replace headers…' }));
    await user.type(form.getByLabelText('Header 1 name'), 'X-Token');
    await user.type(form.getByLabelText('Header 1 value'), 'tok');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateConnection).toHaveBeenLastCalledWith('c2', { headers: { 'X-Token': 'tok' } });
  });

  it("shows the server's errors by field", async () => {
    mocked.updateConnection.mockRejectedValueOnce(
      new ApiError(422, 'validation_error', 'body.statement_timeout_s: Input should be less than or equal to 86400', [
        { field: 'body.statement_timeout_s', message: 'Input should be less than or equal to 86400', type: 'less_than_equal' },
      ]),
    );
    mocked.updateConnection.mockRejectedValueOnce(new ApiError(409, 'duplicate_name', "a connection named 'shop' already exists in this workspace"));
    mocked.updateConnection.mockRejectedValueOnce(
      new ApiError(422, 'invalid_connection', "host: must not contain spaces; postgresql needs a host or url", {
        problems: ['host: must not contain spaces', 'postgresql needs a host or url'],
      }),
    );
    const { form, user } = await openEdit();
    await user.clear(form.getByLabelText('Statement timeout (s)'));
    await user.type(form.getByLabelText('Statement timeout (s)'), '100000');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const timeout = form.getByLabelText('Statement timeout (s)');
    expect(timeout.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(timeout.getAttribute('aria-describedby')!)!.textContent).toBe(
      'statement_timeout_s: Input should be less than or equal to 86400',
    );

    await user.clear(form.getByLabelText('Name'));
    await user.type(form.getByLabelText('Name'), 'shop');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const name = form.getByLabelText('Name');
    expect(document.getElementById(name.getAttribute('aria-describedby')!)!.textContent).toBe(
      "name: a connection named 'shop' already exists in this workspace",
    );
    expect(screen.getByRole('form', { name: 'Edit connection warehouse' })).toBeTruthy(); // still open

    // Problems of the connection as a whole: those naming a field go under it, the rest above Save.
    await user.type(form.getByLabelText('Host'), ' x');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const host = form.getByLabelText('Host');
    expect(document.getElementById(host.getAttribute('aria-describedby')!)!.textContent).toBe('host: must not contain spaces');
    expect(form.getAllByRole('alert').map((a) => a.textContent)).toContain('postgresql needs a host or url');
  });

  it('tests the connection again after an edit', async () => {
    mocked.testConnection.mockResolvedValue({ name: 'dw', kind: 'postgresql', reachable: true, server_version: 'PostgreSQL 16.2', read_only: true, can_write: false, write_privileges: [], warnings: [], status_code: null, duration_ms: 12 });
    const renamed = { ...connection, name: 'dw', updated_at: '2026-03-02T00:00:00Z' };
    mocked.updateConnection.mockResolvedValue(renamed);
    const { form, row, user } = await openEdit();
    await user.click(within(row).getByRole('button', { name: 'Test' }));
    await screen.findByText(/reachable/);
    mocked.listConnections.mockResolvedValue(page([renamed]));
    await user.clear(form.getByLabelText('Name'));
    await user.type(form.getByLabelText('Name'), 'dw');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const newRow = (await screen.findByText('dw', { selector: 'strong' })).closest('tr')!;
    expect(screen.queryByText(/reachable/)).toBeNull(); // the old result went with the edit
    await user.click(within(newRow).getByRole('button', { name: 'Test' }));
    expect((await screen.findByRole('status')).textContent).toContain('✓ reachable · PostgreSQL 16.2');
    expect(mocked.testConnection).toHaveBeenCalledTimes(2);
    expect(mocked.testConnection).toHaveBeenLastCalledWith('c1');
  });
});
