import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, formErrors, type FormErrors } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { navigate } from '../router';
import { AppShell } from './AppShell';
import { FieldError } from './FieldError';
import { useCurrentUser } from './session';

export const ROLES: readonly api.WorkspaceRole[] = ['viewer', 'editor', 'admin'];

/** What each role may do (docs/api.md, "Workspaces and roles"). */
const MAY: Record<api.WorkspaceRole, string> = {
  viewer: 'reads flows, versions, diffs, exports and runs',
  editor: 'also creates, saves, imports, runs and previews flows',
  admin: 'also renames or deletes the workspace and manages its members',
};

/** How a member is named in messages and labels: a user's email, a group's name. */
export function memberLabel(m: api.Member): string {
  return (m.group_id ? m.group_name : m.email) ?? m.id;
}

const NO_ERRORS: FormErrors = { fields: {}, other: null };

/**
 * A refused "add member": the server's 404 for an unknown email or group names the value, not
 * the field, so it goes under the field that was filled; the rest as `formErrors` sorts it.
 */
export function memberErrors(err: unknown, target: 'email' | 'group_id'): FormErrors {
  if (err instanceof ApiError && err.code === 'not_found' && /^no (user|group) /.test(err.message)) {
    return { fields: { [target]: err.message }, other: null };
  }
  return formErrors(err, [target, 'role']);
}

/**
 * A workspace's members (users and groups), their roles and since when, with the caller's own
 * role. Admins add members (a user by email; a group when they may list groups: server admins),
 * change roles in place and remove members; everyone else reads the list.
 */
export function MembersPage({ workspaceId }: { workspaceId: string }) {
  const workspace = useAsync(() => api.getWorkspace(workspaceId), [workspaceId]);
  const members = useAsync(() => api.listMembers(workspaceId), [workspaceId]);
  const me = useCurrentUser();
  const ws = workspace.data;
  const canManage = ws?.role === 'admin';
  // One's own role can change here (an admin who makes themselves editor): both are fetched again.
  const reload = () => {
    members.reload();
    workspace.reload();
  };
  const items = members.data ?? [];

  return (
    <AppShell workspaceId={workspaceId}>
      <div className="runs-page members-page">
        <header className="page-header">
          <h1>Members</h1>
          {ws && (
            <p className="own-role">
              Your role: <strong data-testid="own-role">{ws.role}</strong>
              {me?.is_admin && <span className="muted"> (server administrator: admin in every workspace)</span>}
            </p>
          )}
        </header>
        {ws && (
          <p className="muted">
            Who may use “{ws.name}”, and how. A user’s role is the strongest of their own membership and their groups’.
          </p>
        )}
        {workspace.error != null && (
          <p className="field-error" role="alert">
            {errorMessage(workspace.error)}
          </p>
        )}
        {ws && canManage && <AddMember workspaceId={workspaceId} members={items} canPickGroups={me?.is_admin === true} onAdded={reload} />}
        {members.error != null && workspace.error == null && <p className="field-error">{errorMessage(members.error)}</p>}
        {ws && members.data && (
          <table className="table members">
            <thead>
              <tr>
                <th>Member</th>
                <th>Kind</th>
                <th>Role</th>
                <th>Since</th>
                {canManage && <th />}
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <MemberRow key={m.id} workspace={ws} member={m} me={me} canManage={canManage} onChanged={reload} />
              ))}
            </tbody>
          </table>
        )}
        {members.data?.length === 0 && <p className="muted">No members.</p>}
        {ws && !canManage && <p className="muted">Only the workspace’s admins add, change or remove members.</p>}
        <dl className="role-legend">
          {ROLES.map((r) => (
            <div key={r}>
              <dt>{r}</dt>
              <dd>{MAY[r]}</dd>
            </div>
          ))}
        </dl>
      </div>
    </AppShell>
  );
}

function MemberRow({
  workspace,
  member: m,
  me,
  canManage,
  onChanged,
}: {
  workspace: api.Workspace;
  member: api.Member;
  me: api.User | null;
  canManage: boolean;
  onChanged: () => void;
}) {
  // The role just sent, shown until the list fetched again has it (no flicker back to the old one).
  const [sent, setSent] = useState<{ role: api.WorkspaceRole; over: api.WorkspaceRole } | null>(null);
  useEffect(() => setSent(null), [m.role]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const role = sent?.over === m.role ? sent.role : m.role;
  const self = m.user_id !== null && m.user_id === me?.id;
  const label = memberLabel(m);
  const target: api.MemberWrite = m.group_id ? { group_id: m.group_id, role } : { user_id: m.user_id, role };

  const change = async (next: api.WorkspaceRole) => {
    if (next === role) return;
    if (self && m.role === 'admin' && !me?.is_admin && !window.confirm(`Make yourself ${next}? You can no longer manage “${workspace.name}”.`)) return;
    setSent({ role: next, over: m.role });
    setBusy(true);
    setError(null);
    try {
      await api.putMember(workspace.id, { ...target, role: next });
      onChanged();
    } catch (err) {
      setSent(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const question = self
      ? `Remove yourself from “${workspace.name}”?${me?.is_admin ? '' : ' You keep only the access your groups give you.'}`
      : m.group_id
        ? `Remove the group “${label}” from “${workspace.name}”? Its users keep only the access they have otherwise.`
        : `Remove ${label} from “${workspace.name}”? They keep only the access their groups give them.`;
    if (!window.confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      await api.removeMember(workspace.id, m.id);
      if (self && !me?.is_admin) navigate('/');
      else onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const columns = canManage ? 5 : 4;
  return (
    <>
      <tr data-member-id={m.id} className={self ? 'self' : undefined}>
        <td>
          <strong>{m.group_id ? m.group_name : m.full_name || m.email}</strong>
          {self && <span className="badge">you</span>}
          {!m.group_id && m.full_name && <div className="muted">{m.email}</div>}
        </td>
        <td>{m.group_id ? 'group' : 'user'}</td>
        <td>
          {canManage ? (
            <select
              aria-label={`Role of ${label}`}
              value={role}
              disabled={busy}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              onChange={(e) => void change(e.target.value as api.WorkspaceRole)}
            >
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          ) : (
            <span className="role">{m.role}</span>
          )}
        </td>
        <td>
          <time dateTime={m.created_at} title={new Date(m.created_at).toLocaleString()}>
            {new Date(m.created_at).toLocaleDateString()}
          </time>
        </td>
        {canManage && (
          <td>
            <div className="row-actions">
              <button type="button" className="danger" aria-label={`Remove ${label}`} disabled={busy} onClick={() => void remove()}>
                Remove
              </button>
            </div>
          </td>
        )}
      </tr>
      {error && (
        <tr className="member-error">
          <td colSpan={columns}>
            <FieldError id={errorId} message={`${label}: ${error}`} />
          </td>
        </tr>
      )}
    </>
  );
}

function AddMember({
  workspaceId,
  members,
  canPickGroups,
  onAdded,
}: {
  workspaceId: string;
  members: api.Member[];
  canPickGroups: boolean;
  onAdded: () => void;
}) {
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [email, setEmail] = useState('');
  const [groupId, setGroupId] = useState('');
  const [role, setRole] = useState<api.WorkspaceRole>('viewer');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const groups = useAsync(() => (canPickGroups ? api.listGroups() : Promise.resolve(null)), [canPickGroups]);
  const id = useId();
  const byGroup = canPickGroups && kind === 'group';
  const field = byGroup ? 'group_id' : 'email';
  const errorId = (key: string) => (errors.fields[key] ? `${id}-${key}-error` : undefined);
  const aria = (key: string) => ({ 'aria-invalid': errors.fields[key] ? true : undefined, 'aria-describedby': errorId(key) });
  const clear = (key: string) => setErrors((e) => (e.fields[key] || e.other ? { fields: { ...e.fields, [key]: '' }, other: null } : e));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: api.MemberWrite = byGroup ? { group_id: groupId, role } : { email: email.trim(), role };
    setBusy(true);
    setDone(null);
    try {
      const m = await api.putMember(workspaceId, body);
      const was = members.find((x) => x.id === m.id);
      const who = memberLabel(m);
      setDone(
        !was ? `${who} added as ${m.role}.` : was.role === m.role ? `${who} is already a member (${m.role}).` : `${who} was ${was.role}, now ${m.role}.`,
      );
      setEmail('');
      setGroupId('');
      setErrors(NO_ERRORS);
      onAdded();
    } catch (err) {
      setErrors(memberErrors(err, field));
    } finally {
      setBusy(false);
    }
  };

  const groupItems = groups.data?.items ?? [];
  return (
    <section className="add-member">
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a member">
        {canPickGroups && (
          <select aria-label="Kind of member" value={kind} onChange={(e) => (setKind(e.target.value as 'user' | 'group'), setErrors(NO_ERRORS))}>
            <option value="user">a user, by email</option>
            <option value="group">a group</option>
          </select>
        )}
        {byGroup ? (
          <select
            aria-label="Group"
            required
            value={groupId}
            onChange={(e) => (setGroupId(e.target.value), clear('group_id'))}
            {...aria('group_id')}
          >
            <option value="">{groups.loading ? 'Loading groups…' : groupItems.length ? 'Pick a group' : 'No groups yet'}</option>
            {groupItems.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        ) : (
          <input
            aria-label="Email"
            type="email"
            required
            placeholder="Email of a user (an administrator creates users)"
            autoComplete="off"
            value={email}
            onChange={(e) => (setEmail(e.target.value), clear('email'))}
            {...aria('email')}
          />
        )}
        <select aria-label="Role" value={role} onChange={(e) => (setRole(e.target.value as api.WorkspaceRole), clear('role'))} {...aria('role')}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" className="primary" disabled={busy}>
          Add member
        </button>
      </form>
      <FieldError id={errorId(field)} message={errors.fields[field]} />
      <FieldError id={errorId('role')} message={errors.fields.role} />
      {groups.error != null && byGroup && <p className="field-error">{errorMessage(groups.error)}</p>}
      {errors.other && (
        <p className="field-error" role="alert">
          {errors.other}
        </p>
      )}
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
    </section>
  );
}
