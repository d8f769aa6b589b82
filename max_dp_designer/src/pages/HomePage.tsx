import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { emptyDocument, parseFlowDocument } from '../lib/flow-document';
import { useAsync } from '../lib/use-async';
import { Link, navigate } from '../router';
import { AppShell, rememberedWorkspace, rememberWorkspace } from './AppShell';

/** Workspaces on the left; the selected workspace's flows: search, create, import, export. */
export function HomePage({ workspaceId }: { workspaceId: string | null }) {
  const workspaces = useAsync(() => api.listWorkspaces(), []);
  const items = workspaces.data?.items;

  // "/" opens the last workspace used, or the first.
  useEffect(() => {
    if (workspaceId || !items?.length) return;
    const last = rememberedWorkspace();
    const pick = items.find((w) => w.id === last) ?? items[0]!;
    navigate(`/workspaces/${pick.id}`, { replace: true });
  }, [workspaceId, items]);
  useEffect(() => {
    if (workspaceId) rememberWorkspace(workspaceId);
  }, [workspaceId]);

  const current = items?.find((w) => w.id === workspaceId);
  return (
    <AppShell workspaceId={workspaceId}>
      <div className="home">
        <aside className="workspace-list" aria-label="Workspaces">
          <h2>Workspaces</h2>
          {workspaces.error != null && <p className="field-error">{errorMessage(workspaces.error)}</p>}
          <ul>
            {items?.map((w) => (
              <li key={w.id}>
                <Link to={`/workspaces/${w.id}`} className={w.id === workspaceId ? 'active' : undefined}>
                  {w.name}
                  <span className="muted"> {w.role}</span>
                </Link>
              </li>
            ))}
          </ul>
          {items?.length === 0 && <p className="muted">No workspace yet: create one to start.</p>}
          <NewWorkspace onCreated={(id) => (workspaces.reload(), navigate(`/workspaces/${id}`))} />
        </aside>
        <section className="flow-list">
          {current ? <Flows workspace={current} /> : workspaceId && items ? <p>Workspace not found.</p> : null}
        </section>
      </div>
    </AppShell>
  );
}

function NewWorkspace({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const ws = await api.createWorkspace(name.trim());
      setName('');
      setError(null);
      onCreated(ws.id);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <input aria-label="New workspace name" placeholder="New workspace" value={name} required onChange={(e) => setName(e.target.value)} />
      <button type="submit">Create</button>
      {error && <p className="field-error">{error}</p>}
    </form>
  );
}

function Flows({ workspace }: { workspace: api.Workspace }) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);
  const flows = useAsync(() => api.listFlows(workspace.id, query), [workspace.id, query]);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const file = useRef<HTMLInputElement>(null);
  const canEdit = workspace.role !== 'viewer';

  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const flow = await api.createFlow(workspace.id, emptyDocument(name.trim()));
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const importFile = async (f: File) => {
    try {
      const flow = await api.importFlow(workspace.id, parseFlowDocument(await f.text()));
      setError(null);
      flows.reload();
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError(`Cannot import ${f.name}: ${errorMessage(err)}`);
    }
  };

  const exportFlow = async (id: string) => {
    try {
      const { text, filename } = await api.exportFlow(id);
      download(text, filename);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const remove = async (flow: api.FlowSummary) => {
    if (!window.confirm(`Delete the flow “${flow.name}” with its versions and runs?`)) return;
    try {
      await api.deleteFlow(flow.id);
      flows.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <>
      <header className="flow-list-header">
        <h1>{workspace.name}</h1>
        <input type="search" aria-label="Search flows" placeholder="Search flows…" value={q} onChange={(e) => setQ(e.target.value)} />
      </header>
      {canEdit && (
        <div className="flow-list-actions">
          <form className="inline-form" onSubmit={(e) => void create(e)}>
            <input aria-label="New flow name" placeholder="New flow name" required value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="primary">
              Create flow
            </button>
          </form>
          <button type="button" onClick={() => file.current?.click()}>
            Import JSON…
          </button>
          <input
            ref={file}
            type="file"
            accept="application/json,.json"
            hidden
            aria-label="Flow JSON file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
              e.target.value = '';
            }}
          />
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {flows.error != null && <p className="field-error">{errorMessage(flows.error)}</p>}
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
            <th>Version</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {flows.data?.items.map((f) => (
            <tr key={f.id}>
              <td>
                <Link to={`/flows/${f.id}`}>{f.name}</Link>
              </td>
              <td className="muted">{f.description}</td>
              <td>{f.latest_version > 0 ? `v${f.latest_version}` : '—'}</td>
              <td>
                <time dateTime={f.updated_at}>{new Date(f.updated_at).toLocaleString()}</time>
              </td>
              <td className="row-actions">
                <Link to={`/flows/${f.id}/publish`}>Publish</Link>
                <Link to={`/flows/${f.id}/schedules`}>Schedules</Link>
                <Link to={`/runs?workspace_id=${workspace.id}&flow_id=${f.id}`}>Runs</Link>
                <button type="button" onClick={() => void exportFlow(f.id)}>
                  Export
                </button>
                {canEdit && (
                  <button type="button" className="danger" onClick={() => void remove(f)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {flows.data?.items.length === 0 && (
        <p className="muted">{query ? `No flow matches “${query}”.` : 'No flows yet. Create one, or import a flow JSON.'}</p>
      )}
    </>
  );
}

function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  URL.revokeObjectURL(url);
}
