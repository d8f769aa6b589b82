import { useEffect, useState } from 'react';
import { formatDuration } from '../components/Canvas/format';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { Link, navigate, useSearchParams, withQuery } from '../router';
import { AppShell, rememberedWorkspace } from './AppShell';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'timed_out', 'crashed'];
const PAGE = 50;

/** Run history of a workspace (or one flow), newest first, filtered by status. */
export function RunsPage() {
  const params = useSearchParams();
  const workspaceId = params.get('workspace_id') ?? rememberedWorkspace();
  const flowId = params.get('flow_id');
  const status = params.get('status');
  const offset = Number(params.get('offset') ?? 0) || 0;
  const workspaces = useAsync(() => api.listWorkspaces(), []);
  const flows = useAsync(() => (workspaceId ? api.listFlows(workspaceId) : Promise.resolve(null)), [workspaceId]);
  const runs = useAsync(
    () => api.listRuns({ workspace_id: workspaceId ?? undefined, flow_id: flowId ?? undefined, status: status ?? undefined, limit: PAGE, offset }),
    [workspaceId, flowId, status, offset],
  );
  const flowName = (id: string) => flows.data?.items.find((f) => f.id === id)?.name ?? id.slice(0, 8);
  const go = (patch: Record<string, string | null>) =>
    navigate(withQuery('/runs', { workspace_id: workspaceId, flow_id: flowId, status, ...patch, ...('offset' in patch ? {} : { offset: null }) }));

  // Keep the list fresh while runs are in progress.
  const active = runs.data?.items.some((r) => r.status === 'queued' || r.status === 'running');
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => (runs.reload(), setTick((x) => x + 1)), 2000);
    return () => clearInterval(t);
  }, [active, runs.reload]);

  return (
    <AppShell workspaceId={workspaceId}>
      <div className="runs-page">
        <header className="page-header">
          <h1>Runs</h1>
          <label>
            Workspace{' '}
            <select value={workspaceId ?? ''} onChange={(e) => go({ workspace_id: e.target.value || null, flow_id: null })}>
              <option value="">all</option>
              {workspaces.data?.items.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Flow{' '}
            <select value={flowId ?? ''} onChange={(e) => go({ flow_id: e.target.value || null })}>
              <option value="">all</option>
              {flows.data?.items.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status{' '}
            <select aria-label="Status" value={status ?? ''} onChange={(e) => go({ status: e.target.value || null })}>
              <option value="">any</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={runs.reload}>
            Refresh
          </button>
        </header>
        {runs.error != null && <p className="field-error">{errorMessage(runs.error)}</p>}
        <table className="table runs-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>Flow</th>
              <th>Version</th>
              <th>Trigger</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.items.map((r) => (
              <tr key={r.id} className="clickable" onClick={() => navigate(`/runs/${r.id}`)}>
                <td>
                  <Link to={`/runs/${r.id}`} className={`status-badge status-${r.status}`} onClick={(e) => e.stopPropagation()}>
                    {r.status}
                  </Link>
                </td>
                <td>{flowName(r.flow_id)}</td>
                <td>{r.version ? `v${r.version}` : 'current'}</td>
                <td>{r.trigger}</td>
                <td>
                  <time dateTime={r.created_at}>{new Date(r.created_at).toLocaleString()}</time>
                </td>
                <td>{r.duration_ms != null ? formatDuration(r.duration_ms) : '—'}</td>
                <td className="error-cell">{(r.error?.message as string | undefined) ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {runs.data?.items.length === 0 && <p className="muted">No runs match.</p>}
        {runs.data && runs.data.total > PAGE && (
          <nav className="pager">
            <button type="button" disabled={offset === 0} onClick={() => go({ offset: String(Math.max(0, offset - PAGE)) })}>
              Newer
            </button>
            <span>
              {offset + 1}–{Math.min(offset + PAGE, runs.data.total)} of {runs.data.total}
            </span>
            <button type="button" disabled={offset + PAGE >= runs.data.total} onClick={() => go({ offset: String(offset + PAGE) })}>
              Older
            </button>
          </nav>
        )}
      </div>
    </AppShell>
  );
}
