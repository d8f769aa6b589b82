import { useEffect, useState } from 'react';
import { formatDuration, formatRows } from '../components/Canvas/format';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { FINISHED } from '../editor/logic';
import { useAsync } from '../lib/use-async';
import { Link } from '../router';
import { AppShell } from './AppShell';
import { timeline } from './run-timeline';

/** One run: its outcome, and per node the timing (as a timeline), row counts and errors. */
export function RunPage({ runId }: { runId: string }) {
  const run = useAsync(() => api.getRun(runId), [runId]);
  const flow = useAsync(() => (run.data ? api.getFlow(run.data.flow_id) : Promise.resolve(null)), [run.data?.flow_id]);
  const [error, setError] = useState<string | null>(null);
  const live = run.data && !FINISHED.has(run.data.status);

  // While it runs, follow its events and reload the record when it ends.
  useEffect(() => {
    if (!live) return;
    const ctrl = new AbortController();
    let last = 0;
    void api
      .streamRunEvents(
        runId,
        () => {
          const now = Date.now();
          if (now - last > 500) {
            last = now;
            run.reload();
          }
        },
        ctrl.signal,
      )
      .finally(() => !ctrl.signal.aborted && run.reload());
    return () => ctrl.abort();
  }, [live, runId, run.reload]);

  const r = run.data;
  const rows = r ? timeline(r) : [];
  return (
    <AppShell workspaceId={r?.workspace_id}>
      <div className="run-page">
        <p>
          <Link to={r ? `/runs?workspace_id=${r.workspace_id}&flow_id=${r.flow_id}` : '/runs'}>← Runs</Link>
        </p>
        {run.error != null && <p className="field-error">{errorMessage(run.error)}</p>}
        {r && (
          <>
            <header className="page-header">
              <h1>
                Run of {flow.data ? <Link to={`/flows/${r.flow_id}`}>{flow.data.name}</Link> : '…'}{' '}
                <span className={`status-badge status-${r.status}`} data-testid="run-status">
                  {r.status}
                </span>
              </h1>
              {live && (
                <button
                  type="button"
                  className="danger"
                  onClick={() => api.cancelRun(runId).then(run.reload, (e: unknown) => setError(errorMessage(e)))}
                >
                  Cancel
                </button>
              )}
            </header>
            {error && <p className="field-error">{error}</p>}
            <dl className="run-facts">
              <dt>Version</dt>
              <dd>{r.version ? `v${r.version}` : 'current document'}</dd>
              <dt>Trigger</dt>
              <dd>{r.trigger}</dd>
              <dt>Started</dt>
              <dd>{r.started_at ? new Date(r.started_at).toLocaleString() : '—'}</dd>
              <dt>Duration</dt>
              <dd>{r.duration_ms != null ? formatDuration(r.duration_ms) : '—'}</dd>
              <dt>Parameters</dt>
              <dd className="mono">{Object.keys(r.params).length ? JSON.stringify(r.params) : 'none'}</dd>
              {r.outputs && (
                <>
                  <dt>Outputs</dt>
                  <dd>
                    {Object.entries(r.outputs).map(([name, o]) => (
                      <span key={name} className="output">
                        {name}: {formatRows(Number((o as { row_count?: number }).row_count ?? 0))}
                      </span>
                    ))}
                  </dd>
                </>
              )}
            </dl>
            {r.error && (
              <div className="run-error" role="alert">
                <strong>{r.error.node_id ? `Node ${String(r.error.node_id)}: ` : ''}</strong>
                {String(r.error.message ?? '')}
              </div>
            )}
            <h2>Nodes</h2>
            <table className="table nodes-table">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Type</th>
                  <th>Status</th>
                  <th>Rows in</th>
                  <th>Rows out</th>
                  <th>Duration</th>
                  <th className="timeline-col">Timeline</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ node: n, left, width }) => (
                  <tr key={n.node_id} data-node-id={n.node_id}>
                    <td className="mono">{n.node_id}</td>
                    <td className="muted">{n.node_type}</td>
                    <td>
                      <span className={`status-badge status-${n.status}`}>{n.status}</span>
                      {n.attempts > 1 && <span className="muted"> ({n.attempts} attempts)</span>}
                    </td>
                    <td>{n.rows_in ?? '—'}</td>
                    <td>{n.rows_out ?? '—'}</td>
                    <td>{n.duration_ms != null ? formatDuration(n.duration_ms) : '—'}</td>
                    <td className="timeline-col">
                      {width != null && (
                        <div className="timeline-track">
                          <div className={`timeline-bar status-${n.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
                        </div>
                      )}
                      {n.error && <div className="node-error">{String(n.error.message ?? '')}</div>}
                      {n.reason && <div className="muted">{n.reason}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </AppShell>
  );
}
