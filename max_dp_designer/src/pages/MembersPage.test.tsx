import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import * as api from '../api/services';
import { navigate } from '../router';
import { MembersPage } from './MembersPage';
import { useCurrentUser } from './session';

vi.mock('../api/services', () => ({
  getWorkspace: vi.fn(),
  listMembers: vi.fn(),
  putMember: vi.fn(),
  removeMember: vi.fn(),
  listGroups: vi.fn(),
}));
vi.mock('./AppShell', () => ({ AppShell: ({ children }: { children: ReactNode }) => <>{children}</> }));
vi.mock('./session', () => ({ useCurrentUser: vi.fn() }));
vi.mock('../router', () => ({ navigate: vi.fn() }));

const mocked = vi.mocked(api);
const currentUser = vi.mocked(useCurrentUser);

const ada: api.User = {
  id: 'u1',
  email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  is_active: true,
  is_admin: false,
  created_at: '2026-01-01T00:00:00Z',
  last_login_at: null,
};
const workspace = (role: api.WorkspaceRole): api.Workspace => ({
  id: 'w1',
  name: 'Sales',
  description: '',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  role,
});
const member = (m: Partial<api.Member> & Pick<api.Member, 'id'>): api.Member => ({
  user_id: null,
  email: null,
  full_name: null,
  group_id: null,
  group_name: null,
  role: 'viewer',
  created_at: '2026-02-03T10:00:00Z',
  ...m,
});
const adaMember = member({ id: 'm1', user_id: 'u1', email: 'ada@example.com', full_name: 'Ada Lovelace', role: 'admin' });
const boMember = member({ id: 'm2', user_id: 'u2', email: 'bo@example.com', full_name: '', role: 'viewer' });
const analysts = member({ id: 'm3', group_id: 'g1', group_name: 'analysts', role: 'editor' });
const MEMBERS = [adaMember, boMember, analysts];

beforeEach(() => {
  vi.resetAllMocks();
  currentUser.mockReturnValue(ada);
  mocked.getWorkspace.mockResolvedValue(workspace('admin'));
  mocked.listMembers.mockResolvedValue(MEMBERS);
  mocked.listGroups.mockResolvedValue({ items: [{ id: 'g1', name: 'analysts', description: '', created_at: '2026-01-01T00:00:00Z' }, { id: 'g2', name: 'ops', description: '', created_at: '2026-01-01T00:00:00Z' }], total: 2, limit: 500, offset: 0 });
});
afterEach(() => vi.restoreAllMocks());

async function renderPage() {
  const user = userEvent.setup();
  render(<MembersPage workspaceId="w1" />);
  await screen.findByRole('table');
  return user;
}

const row = (label: string) => screen.getByText(label, { selector: 'strong' }).closest('tr')!;
const cells = (label: string) => within(row(label)).getAllByRole('cell').map((c) => c.textContent);
const describedBy = (el: HTMLElement) => document.getElementById(el.getAttribute('aria-describedby')!)!.textContent;

describe('MembersPage', () => {
  it('lists users and groups with kind, role and since; shows your own role', async () => {
    await renderPage();
    expect(mocked.getWorkspace).toHaveBeenCalledWith('w1');
    expect(mocked.listMembers).toHaveBeenCalledWith('w1');
    expect(screen.getByTestId('own-role').textContent).toBe('admin');
    expect(screen.getAllByRole('row')).toHaveLength(1 + MEMBERS.length);
    // A user with a name shows it, the email under it, and "you" on the caller's own row.
    const mine = within(row('Ada Lovelace'));
    expect(mine.getByText('ada@example.com')).toBeTruthy();
    expect(mine.getByText('you')).toBeTruthy();
    expect(cells('Ada Lovelace')[1]).toBe('user');
    expect(cells('bo@example.com')[1]).toBe('user');
    expect(cells('analysts')[1]).toBe('group');
    expect((within(row('analysts')).getByRole('combobox') as HTMLSelectElement).value).toBe('editor');
    const since = within(row('bo@example.com')).getByText(new Date(boMember.created_at).toLocaleDateString());
    expect(since.getAttribute('dateTime')).toBe(boMember.created_at);
  });

  it('gives admins the add form, role pickers and remove buttons', async () => {
    await renderPage();
    expect(screen.getByRole('form', { name: 'Add a member' })).toBeTruthy();
    expect(screen.getAllByRole('combobox', { name: /^Role of / })).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Remove bo@example.com' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove analysts' })).toBeTruthy();
    // Not a server admin: no group picker, and the groups are not asked for (the API would refuse).
    expect(screen.queryByLabelText('Kind of member')).toBeNull();
    expect(mocked.listGroups).not.toHaveBeenCalled();
  });

  it('shows viewers the list read-only', async () => {
    mocked.getWorkspace.mockResolvedValue(workspace('viewer'));
    await renderPage();
    expect(screen.getByTestId('own-role').textContent).toBe('viewer');
    expect(screen.queryByRole('form', { name: 'Add a member' })).toBeNull();
    expect(screen.queryAllByRole('combobox')).toHaveLength(0);
    expect(screen.queryAllByRole('button')).toHaveLength(0);
    expect(cells('bo@example.com')).toEqual(['bo@example.com', 'user', 'viewer', new Date(boMember.created_at).toLocaleDateString()]);
    expect(cells('analysts')[2]).toBe('editor');
    expect(screen.getByText(/Only the workspace’s admins/)).toBeTruthy();
  });

  it('adds a user by email with the chosen role, then lists the members again', async () => {
    const cy = member({ id: 'm4', user_id: 'u3', email: 'cy@example.com', role: 'editor' });
    mocked.putMember.mockResolvedValue(cy);
    const user = await renderPage();
    const form = within(screen.getByRole('form', { name: 'Add a member' }));
    await user.type(form.getByLabelText('Email'), '  cy@example.com ');
    await user.selectOptions(form.getByLabelText('Role'), 'editor');
    mocked.listMembers.mockResolvedValue([...MEMBERS, cy]);
    await user.click(form.getByRole('button', { name: 'Add member' }));
    expect(mocked.putMember).toHaveBeenCalledWith('w1', { email: 'cy@example.com', role: 'editor' });
    expect((await screen.findByRole('status')).textContent).toBe('cy@example.com added as editor.');
    await screen.findByText('cy@example.com', { selector: 'strong' });
    expect(mocked.listMembers).toHaveBeenCalledTimes(2);
    expect((form.getByLabelText('Email') as HTMLInputElement).value).toBe('');
  });

  it('lets a server admin add a group picked from the groups', async () => {
    currentUser.mockReturnValue({ ...ada, is_admin: true });
    mocked.putMember.mockResolvedValue(member({ id: 'm5', group_id: 'g2', group_name: 'ops', role: 'viewer' }));
    const user = await renderPage();
    expect(screen.getByText(/server administrator/)).toBeTruthy();
    const form = within(screen.getByRole('form', { name: 'Add a member' }));
    await user.selectOptions(form.getByLabelText('Kind of member'), 'group');
    await waitFor(() => expect(within(form.getByLabelText('Group')).getByRole('option', { name: 'ops' })).toBeTruthy());
    expect(form.queryByLabelText('Email')).toBeNull();
    await user.selectOptions(form.getByLabelText('Group'), 'ops');
    await user.click(form.getByRole('button', { name: 'Add member' }));
    expect(mocked.putMember).toHaveBeenCalledWith('w1', { group_id: 'g2', role: 'viewer' });
    expect((await screen.findByRole('status')).textContent).toBe('ops added as viewer.');
  });

  it('changes a role in place: the user by id, the group by id', async () => {
    mocked.putMember.mockImplementation(async (_ws, body) => ({ ...boMember, role: body.role }));
    const user = await renderPage();
    mocked.listMembers.mockResolvedValue([adaMember, { ...boMember, role: 'editor' }, analysts]);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role of bo@example.com' }), 'editor');
    expect(mocked.putMember).toHaveBeenCalledWith('w1', { user_id: 'u2', role: 'editor' });
    await waitFor(() => expect(mocked.listMembers).toHaveBeenCalledTimes(2));
    expect(mocked.getWorkspace).toHaveBeenCalledTimes(2); // one's own role may have changed
    expect((screen.getByRole('combobox', { name: 'Role of bo@example.com' }) as HTMLSelectElement).value).toBe('editor');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Role of analysts' }), 'admin');
    expect(mocked.putMember).toHaveBeenLastCalledWith('w1', { group_id: 'g1', role: 'admin' });
  });

  it('removes a member only after confirming', async () => {
    mocked.removeMember.mockResolvedValue();
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    const user = await renderPage();
    await user.click(screen.getByRole('button', { name: 'Remove bo@example.com' }));
    expect(confirm).toHaveBeenCalledWith('Remove bo@example.com from “Sales”? They keep only the access their groups give them.');
    expect(mocked.removeMember).not.toHaveBeenCalled();
    mocked.listMembers.mockResolvedValue([adaMember, analysts]);
    await user.click(screen.getByRole('button', { name: 'Remove bo@example.com' }));
    expect(mocked.removeMember).toHaveBeenCalledWith('w1', 'm2');
    await waitFor(() => expect(screen.queryByText('bo@example.com', { selector: 'strong' })).toBeNull());
  });

  it("shows the server's refusals at the field and at the row", async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const user = await renderPage();

    // An unknown email: under the email field.
    mocked.putMember.mockRejectedValueOnce(new ApiError(404, 'not_found', "no user with email 'nobody@example.com'; an administrator creates users"));
    const form = within(screen.getByRole('form', { name: 'Add a member' }));
    await user.type(form.getByLabelText('Email'), 'nobody@example.com');
    await user.click(form.getByRole('button', { name: 'Add member' }));
    const email = form.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(describedBy(email)).toBe("no user with email 'nobody@example.com'; an administrator creates users");
    await user.type(email, 'x'); // editing the field clears its error
    expect(email.getAttribute('aria-invalid')).toBeNull();

    // The last admin cannot be demoted: the picker goes back to admin, the reason under the row.
    const lastAdmin = "this is the workspace's last admin; make another member admin first";
    mocked.putMember.mockRejectedValueOnce(new ApiError(409, 'last_admin', lastAdmin));
    const mine = screen.getByRole('combobox', { name: 'Role of ada@example.com' }) as HTMLSelectElement;
    await user.selectOptions(mine, 'viewer');
    expect(mocked.putMember).toHaveBeenLastCalledWith('w1', { user_id: 'u1', role: 'viewer' });
    await waitFor(() => expect(mine.getAttribute('aria-invalid')).toBe('true'));
    expect(mine.value).toBe('admin');
    expect(describedBy(mine)).toBe(`ada@example.com: ${lastAdmin}`);

    // ... nor removed.
    mocked.removeMember.mockRejectedValueOnce(new ApiError(409, 'last_admin', lastAdmin));
    await user.click(screen.getByRole('button', { name: 'Remove ada@example.com' }));
    expect(mocked.removeMember).toHaveBeenCalledWith('w1', 'm1');
    await waitFor(() => expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain(`ada@example.com: ${lastAdmin}`));
    expect(row('Ada Lovelace').nextElementSibling?.textContent).toBe(`ada@example.com: ${lastAdmin}`);
    expect(screen.getByText('Ada Lovelace', { selector: 'strong' })).toBeTruthy(); // still listed
  });

  it('asks before an admin demotes or removes themselves, and leaves the page after removal', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    mocked.removeMember.mockResolvedValue();
    const user = await renderPage();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role of ada@example.com' }), 'editor');
    expect(confirm).toHaveBeenCalledWith('Make yourself editor? You can no longer manage “Sales”.');
    expect(mocked.putMember).not.toHaveBeenCalled();
    expect((screen.getByRole('combobox', { name: 'Role of ada@example.com' }) as HTMLSelectElement).value).toBe('admin');
    await user.click(screen.getByRole('button', { name: 'Remove ada@example.com' }));
    expect(confirm).toHaveBeenLastCalledWith('Remove yourself from “Sales”? You keep only the access your groups give you.');
    expect(mocked.removeMember).toHaveBeenCalledWith('w1', 'm1');
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('/'));
    expect(mocked.listMembers).toHaveBeenCalledTimes(1); // gone from the workspace: not fetched again
  });

  it('says so when the workspace cannot be read', async () => {
    mocked.getWorkspace.mockRejectedValue(new ApiError(404, 'not_found', 'no workspace with id w1'));
    mocked.listMembers.mockRejectedValue(new ApiError(404, 'not_found', 'no workspace with id w1'));
    render(<MembersPage workspaceId="w1" />);
    expect((await screen.findByRole('alert')).textContent).toBe('no workspace with id w1');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
