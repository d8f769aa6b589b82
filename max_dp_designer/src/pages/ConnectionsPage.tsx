import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, formErrors, type FormErrors } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { AppShell } from './AppShell';
import { CONNECTION_FIELDS, connectionChanges, connectionValues, type ConnectionValues, type SecretEdit } from './edit-logic';
import { FieldError } from './FieldError';

type Kind = api.ConnectionCreate['kind'];
const KINDS: Kind[] = ['postgresql', 'mysql', 'supabase', 'sqlite', 'http'];

/** A workspace's named connections: create, edit, test, browse tables and their columns. */
export function ConnectionsPage({ workspaceId }: { workspaceId: string }) {
  const connections = useAsync(() => api.listConnections(workspaceId), [workspaceId]);
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const items = connections.data?.items ?? [];
  const current = items.find((c) => c.id === open);

  return (
    <AppShell workspaceId={workspaceId}>
      <div className="runs-page">
        <header className="page-header">
          <h1>Connections</h1>
        </header>
        <p className="muted">
          Flows name a connection (never credentials); secrets are stored encrypted and never sent back.
        </p>
        <NewConnection workspaceId={workspaceId} onCreated={connections.reload} />
        {error && <p className="field-error">{error}</p>}
        <div className="connections">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Where</th>
                <th>Access</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <ConnectionRow
                  key={c.id}
                  connection={c}
                  active={c.id === open}
                  editing={c.id === editing}
                  onBrowse={() => setOpen(c.id === open ? null : c.id)}
                  onEdit={() => setEditing(c.id === editing ? null : c.id)}
                  onSaved={() => {
                    setEditing(null);
                    connections.reload();
                  }}
                  onDelete={() =>
                    window.confirm(`Delete the connection “${c.name}”? Flows that name it will fail.`) &&
                    void api.deleteConnection(c.id).then(connections.reload, (e: unknown) => setError(errorMessage(e)))
                  }
                />
              ))}
            </tbody>
          </table>
          {items.length === 0 && <p className="muted">No connections yet.</p>}
          {current && <TableBrowser connection={current} />}
        </div>
      </div>
    </AppShell>
  );
}

function ConnectionRow({
  connection: c,
  active,
  editing,
  onBrowse,
  onEdit,
  onSaved,
  onDelete,
}: {
  connection: api.Connection;
  active: boolean;
  editing: boolean;
  onBrowse: () => void;
  onEdit: () => void;
  onSaved: () => void;
  onDelete: () => void;
}) {
  const [tested, setTest] = useState<{ busy: boolean; result?: api.ConnectionTest; error?: string; of: string } | null>(null);
  // A test result describes the connection as it was: after an edit it is not shown.
  const test = tested?.of === c.updated_at ? tested : null;
  const run = async () => {
    const of = c.updated_at;
    setTest({ busy: true, of });
    try {
      setTest({ busy: false, result: await api.testConnection(c.id), of });
    } catch (err) {
      setTest({ busy: false, error: errorMessage(err), of });
    }
  };
  const where = c.kind === 'http' ? (c.has_url ? 'URL set' : '') : [c.host && `${c.host}${c.port ? `:${c.port}` : ''}`, c.database].filter(Boolean).join(' / ');
  return (
    <>
      <tr className={active ? 'active' : undefined}>
        <td>
          <strong>{c.name}</strong>
          {c.description && <div className="muted">{c.description}</div>}
        </td>
        <td>{c.kind}</td>
        <td className="mono">{where || <span className="muted">—</span>}</td>
        <td>{c.read_only ? 'read-only' : 'read-write'}</td>
        <td className="row-actions">
          <button type="button" onClick={() => void run()} disabled={test?.busy}>
            {test?.busy ? 'Testing…' : 'Test'}
          </button>
          <button type="button" aria-pressed={editing} onClick={onEdit}>
            Edit
          </button>
          {c.kind !== 'http' && (
            <button type="button" aria-pressed={active} onClick={onBrowse}>
              Tables
            </button>
          )}
          <button type="button" className="danger" onClick={onDelete}>
            Delete
          </button>
        </td>
      </tr>
      {editing && (
        <tr className="edit-row">
          <td colSpan={5}>
            <ConnectionEditForm connection={c} onSaved={onSaved} onCancel={onEdit} />
          </td>
        </tr>
      )}
      {test && !test.busy && (
        <tr className="test-result">
          <td colSpan={5} role="status">
            {test.error ? (
              <span className="field-error">✗ {test.error}</span>
            ) : test.result ? (
              <span className={test.result.reachable === false ? 'field-error' : 'ok'}>
                {test.result.reachable === false ? '✗ not reachable' : '✓ reachable'}
                {test.result.server_version && ` · ${test.result.server_version}`}
                {test.result.status_code != null && ` · HTTP ${test.result.status_code}`} · {Math.round(test.result.duration_ms)} ms
                {test.result.read_only ? ' · read-only session' : ''}
                {test.result.can_write ? ' · can write' : ''}
                {(test.result.warnings ?? []).map((w) => (
                  <span key={w} className="warning">
                    {' '}
                    ⚠ {w}
                  </span>
                ))}
              </span>
            ) : null}
          </td>
        </tr>
      )}
    </>
  );
}

function TableBrowser({ connection }: { connection: api.Connection }) {
  const tables = useAsync(() => api.listTables(connection.id), [connection.id]);
  const [table, setTable] = useState<{ schema: string | null; name: string } | null>(null);
  const columns = useAsync(
    () => (table ? api.listColumns(connection.id, table.name, table.schema) : Promise.resolve(null)),
    [connection.id, table?.name, table?.schema],
  );
  return (
    <section className="table-browser" aria-label="Table browser">
      <h2>Tables of {connection.name}</h2>
      {tables.loading && <p className="muted">Loading…</p>}
      {tables.error != null && <p className="field-error">{errorMessage(tables.error)}</p>}
      <div className="browser-grid">
        <ul className="table-names">
          {tables.data?.items.map((t) => (
            <li key={`${t.schema}.${t.name}`}>
              <button
                type="button"
                className={table?.name === t.name && table.schema === t.schema ? 'link active' : 'link'}
                onClick={() => setTable({ schema: t.schema, name: t.name })}
              >
                {t.schema ? `${t.schema}.` : ''}
                {t.name}
              </button>
              {t.kind !== 'table' && <span className="muted"> {t.kind}</span>}
            </li>
          ))}
          {tables.data?.items.length === 0 && <li className="muted">No tables.</li>}
        </ul>
        <div>
          {table && columns.error != null && <p className="field-error">{errorMessage(columns.error)}</p>}
          {table && columns.data && (
            <table className="table">
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Type</th>
                  <th>Null</th>
                  <th>Key</th>
                  <th>Default</th>
                </tr>
              </thead>
              <tbody>
                {columns.data.items.map((c) => (
                  <tr key={c.name}>
                    <td className="mono">{c.name}</td>
                    <td>{c.type}</td>
                    <td>{c.nullable ? 'yes' : 'no'}</td>
                    <td>{c.primary_key ? 'PK' : ''}</td>
                    <td className="mono">{c.default ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {!table && <p className="muted">Pick a table to see its columns.</p>}
        </div>
      </div>
    </section>
  );
}

function NewConnection({ workspaceId, onCreated }: { workspaceId: string; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<Kind>('postgresql');
  const [form, setForm] = useState<Record<string, string>>({});
  const [readOnly, setReadOnly] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const field = (k: string, label: string, props: Record<string, unknown> = {}) => (
    <>
      <label htmlFor={`conn-${k}`}>{label}</label>
      <input id={`conn-${k}`} value={form[k] ?? ''} onChange={set(k)} {...props} />
    </>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const str = (k: string) => (form[k]?.trim() ? form[k]!.trim() : null);
    try {
      await api.createConnection(workspaceId, {
        name: form.name?.trim() ?? '',
        kind,
        description: form.description ?? '',
        host: str('host'),
        port: form.port ? Number(form.port) : null,
        user: str('user'),
        database: str('database'),
        password: str('password'),
        url: str('url'),
        read_only: readOnly,
        options: {},
        statement_timeout_s: 30,
      });
      setForm({});
      setError(null);
      setOpen(false);
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        New connection…
      </button>
    );
  }
  const sql = kind !== 'http';
  return (
    <form className="form-grid new-connection" onSubmit={(e) => void submit(e)} aria-label="New connection">
      {field('name', 'Name', { required: true, placeholder: 'warehouse' })}
      <label htmlFor="conn-kind">Kind</label>
      <select id="conn-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {KINDS.map((k) => (
          <option key={k}>{k}</option>
        ))}
      </select>
      {field('description', 'Description')}
      {sql && kind !== 'sqlite' && field('host', 'Host', { placeholder: '127.0.0.1' })}
      {sql && kind !== 'sqlite' && field('port', 'Port', { type: 'number', min: 1, max: 65535 })}
      {sql && kind !== 'sqlite' && field('user', 'User')}
      {sql && field('database', kind === 'sqlite' ? 'Database file' : 'Database')}
      {sql && kind !== 'sqlite' && field('password', 'Password', { type: 'password', autoComplete: 'new-password' })}
      {!sql && field('url', 'Base URL', { placeholder: 'https://api.example.com' })}
      {sql && (
        <>
          <span />
          <label>
            <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> read-only sessions
          </label>
        </>
      )}
      <span />
      <div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create
        </button>{' '}
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Edits a connection in place: prefilled from what the server sent, PATCH with only the fields
 * that changed. Secrets (`password`, `url`, `headers`) are write-only: the form says whether each
 * is set, sends one only when a new value is typed, and removes it with "Clear".
 */
export function ConnectionEditForm({
  connection: c,
  onSaved,
  onCancel,
}: {
  connection: api.Connection;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<ConnectionValues>(() => connectionValues(c));
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, other: null });
  const [busy, setBusy] = useState(false);
  const id = useId();
  const set = <K extends keyof ConnectionValues>(key: K, value: ConnectionValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => (e.fields[key] ? { ...e, fields: { ...e.fields, [key]: '' } } : e));
  };
  const errorId = (key: string) => (errors.fields[key] ? `${id}-${key}-error` : undefined);
  const aria = (key: string) => ({ 'aria-invalid': errors.fields[key] ? true : undefined, 'aria-describedby': errorId(key) });
  const row = (key: keyof ConnectionValues, label: string, input: ReactNode) => (
    <>
      <label htmlFor={`${id}-${key}`} className={key === 'options' ? 'for-textarea' : undefined}>
        {label}
      </label>
      <div>
        {input}
        <FieldError id={errorId(key)} message={errors.fields[key]} />
      </div>
    </>
  );
  const text = (key: 'name' | 'description' | 'host' | 'port' | 'user' | 'database' | 'statement_timeout_s', label: string, props: Record<string, unknown> = {}) =>
    row(key, label, <input id={`${id}-${key}`} value={values[key]} onChange={(e) => set(key, e.target.value)} {...aria(key)} {...props} />);
  const secret = (key: 'password' | 'url', label: string, isSet: boolean) =>
    row(key, label, <SecretInput id={`${id}-${key}`} label={label} isSet={isSet} edit={values[key]} onChange={(edit) => set(key, edit)} aria={aria(key)} />);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = connectionChanges(c, values);
      if (Object.keys(body).length > 0) await api.updateConnection(c.id, body);
      setErrors({ fields: {}, other: null });
      onSaved();
    } catch (err) {
      setErrors(formErrors(err, CONNECTION_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const sql = c.kind !== 'http';
  const server = sql && c.kind !== 'sqlite';
  return (
    <form className="form-grid edit-connection" onSubmit={(e) => void submit(e)} aria-label={`Edit connection ${c.name}`}>
      {text('name', 'Name', { required: true })}
      <span>Kind</span>
      <div>
        {c.kind} <span className="help">the kind cannot change: create another connection</span>
      </div>
      {text('description', 'Description')}
      {server && text('host', 'Host', { placeholder: '127.0.0.1' })}
      {server && text('port', 'Port', { type: 'number', min: 1, max: 65535 })}
      {server && text('user', 'User')}
      {sql && text('database', c.kind === 'sqlite' ? 'Database file' : 'Database')}
      {server && secret('password', 'Password', c.has_password)}
      {c.kind !== 'sqlite' && secret('url', sql ? 'URL (DSN)' : 'Base URL', c.has_url)}
      {!sql && (
        <>
          <span>Headers</span>
          <div>
            <HeadersInput id={`${id}-headers`} names={c.header_names} value={values.headers} onChange={(h) => set('headers', h)} />
            <FieldError id={errorId('headers')} message={errors.fields.headers} />
          </div>
        </>
      )}
      {row(
        'options',
        'Options',
        <textarea
          id={`${id}-options`}
          className="mono"
          rows={2}
          value={values.options}
          onChange={(e) => set('options', e.target.value)}
          {...aria('options')}
        />,
      )}
      {sql && text('statement_timeout_s', 'Statement timeout (s)', { type: 'number', min: 0.001, step: 'any', required: true })}
      {sql && (
        <>
          <span />
          <div>
            <label>
              <input type="checkbox" checked={values.read_only} onChange={(e) => set('read_only', e.target.checked)} /> read-only sessions
            </label>
            <FieldError id={errorId('read_only')} message={errors.fields.read_only} />
          </div>
        </>
      )}
      {!c.secrets_readable && (
        <>
          <span />
          <p className="field-error">The stored secrets were encrypted with another MAXDP_SECRET_KEY: type them again.</p>
        </>
      )}
      <span />
      <div>
        {errors.other && (
          <p className="field-error" role="alert">
            {errors.other}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A write-only secret: whether it is set, a box to type a new one, and Clear (remove it). */
function SecretInput({
  id,
  label,
  isSet,
  edit,
  onChange,
  aria,
}: {
  id: string;
  label: string;
  isSet: boolean;
  edit: SecretEdit;
  onChange: (edit: SecretEdit) => void;
  aria: { 'aria-invalid': boolean | undefined; 'aria-describedby': string | undefined };
}) {
  const state = edit.clear ? 'will be removed' : edit.value ? (isSet ? 'will be replaced' : 'will be set') : isSet ? 'set' : 'not set';
  return (
    <div className="secret-input">
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={edit.value}
        placeholder={isSet ? 'unchanged; type a new one to replace it' : 'not set; type one to set it'}
        disabled={edit.clear}
        onChange={(e) => onChange({ value: e.target.value, clear: false })}
        aria-invalid={aria['aria-invalid']}
        aria-describedby={[`${id}-state`, aria['aria-describedby']].filter(Boolean).join(' ')}
      />
      <span id={`${id}-state`} className={`secret-state${isSet && !edit.clear ? ' set' : ''}`} data-testid={`${id}-state`}>
        {state}
      </span>
      {isSet &&
        (edit.clear ? (
          <button type="button" onClick={() => onChange({ value: '', clear: false })}>
            Keep
          </button>
        ) : (
          <button type="button" aria-label={`Clear ${label}`} onClick={() => onChange({ value: '', clear: true })}>
            Clear
          </button>
        ))}
    </div>
  );
}

/** http headers (write-only): the names stored; typed rows replace them all; Clear removes them. */
function HeadersInput({
  id,
  names,
  value,
  onChange,
}: {
  id: string;
  names: readonly string[];
  value: ConnectionValues['headers'];
  onChange: (value: ConnectionValues['headers']) => void;
}) {
  const rows = value.rows;
  const setRow = (i: number, patch: Partial<{ name: string; value: string }>) =>
    onChange({ rows: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)), clear: false });
  const state = value.clear
    ? 'will be removed'
    : rows.some((r) => r.name.trim())
      ? 'will be replaced by the rows below'
      : names.length
        ? `set: ${names.join(', ')}`
        : 'not set';
  return (
    <div className="headers-input" role="group" aria-label="Headers">
      <span className="secret-state" id={`${id}-state`}>
        {state}
      </span>{' '}
      {names.length > 0 &&
        (value.clear ? (
          <button type="button" onClick={() => onChange({ rows: [], clear: false })}>
            Keep
          </button>
        ) : (
          <button type="button" aria-label="Clear Headers" onClick={() => onChange({ rows: [], clear: true })}>
            Clear
          </button>
        ))}
      {rows.map((r, i) => (
        <div key={i} className="header-row">
          <input aria-label={`Header ${i + 1} name`} placeholder="Authorization" value={r.name} onChange={(e) => setRow(i, { name: e.target.value })} />
          <input
            aria-label={`Header ${i + 1} value`}
            type="password"
            autoComplete="new-password"
            value={r.value}
            onChange={(e) => setRow(i, { value: e.target.value })}
          />
          <button type="button" aria-label={`Remove header ${i + 1}`} onClick={() => onChange({ rows: rows.filter((_, j) => j !== i), clear: false })}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange({ rows: [...rows, { name: '', value: '' }], clear: false })}>
        {names.length && rows.length === 0 ? 'Replace headers…' : 'Add header'}
      </button>
      <small className="help">Headers typed here replace the stored ones as a whole.</small>
    </div>
  );
}
