import { useState } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { AppShell } from './AppShell';
import { ConnectionEditForm, NewConnection } from './ConnectionForms';

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
