import { useFlowStore } from '../../store';
import { formatDuration, formatRows } from './format';

/** Status, duration and row count of the node in the current run. */
export function NodeStatus({ id }: { id: string }) {
  const run = useFlowStore((s) => s.run.nodes[id]);
  if (!run) return null;
  const parts: string[] = [run.status];
  if (run.duration_ms != null && run.status !== 'running') parts.push(formatDuration(run.duration_ms));
  if (run.rows_out != null) parts.push(formatRows(run.rows_out));
  const detail = run.error?.message ?? run.reason ?? undefined;
  return (
    <div className={`node-status status-${run.status}`} title={detail} data-testid="node-status">
      {parts.join(' · ')}
      {run.status === 'failed' && detail && <div className="node-status-error">{detail}</div>}
    </div>
  );
}
