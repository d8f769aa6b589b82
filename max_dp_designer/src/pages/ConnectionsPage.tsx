import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { AppShell } from './AppShell';

type Kind = api.ConnectionCreate['kind'];
const KINDS: Kind[] = ['postgresql', 'mysql', 'supabase', 'sqlite', 'http'];

/** A workspace's named connections: create, test, browse tables and their columns. */
export function ConnectionsPage({ workspaceId }: { workspaceId: string }) {
  const connections = useAsync(() => api.listConnections(workspaceId), [workspaceId]);
  const [open, setOpen] = useState<string | null>(null);
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
                  onBrowse={() => setOpen(c.id === open ? null : c.id)}
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
  onBrowse,
  onDelete,
}: {
  connection: api.Connection;
  active: boolean;
  onBrowse: () => void;
  onDelete: () => void;
}) {
  const [test, setTest] = useState<{ busy: boolean; result?: api.ConnectionTest; error?: string } | null>(null);
  const run = async () => {
    setTest({ busy: true });
    try {
      setTest({ busy: false, result: await api.testConnection(c.id) });
    } catch (err) {
      setTest({ busy: false, error: errorMessage(err) });
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
