import { Link, useLocation } from '../router';

/** Links between a flow's screens: the canvas, publishing, schedules and its runs. */
export function FlowTabs({ flowId, workspaceId, name }: { flowId: string; workspaceId?: string; name?: string }) {
  const { pathname } = useLocation();
  const tab = (to: string, label: string) => (
    <Link to={to} className={pathname === to ? 'active' : undefined}>
      {label}
    </Link>
  );
  return (
    <nav className="flow-tabs" aria-label="Flow">
      {name && <strong className="flow-tabs-name">{name}</strong>}
      {tab(`/flows/${flowId}`, 'Canvas')}
      {tab(`/flows/${flowId}/publish`, 'Publish')}
      {tab(`/flows/${flowId}/schedules`, 'Schedules')}
      <Link to={`/runs?${new URLSearchParams({ ...(workspaceId ? { workspace_id: workspaceId } : {}), flow_id: flowId })}`}>Runs</Link>
    </nav>
  );
}
