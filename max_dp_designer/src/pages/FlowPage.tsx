import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { FlowEditor } from '../editor/FlowEditor';
import { useAsync } from '../lib/use-async';
import { Link } from '../router';
import { AppShell } from './AppShell';

export function FlowPage({ flowId }: { flowId: string }) {
  const loaded = useAsync(() => Promise.all([api.getFlow(flowId), api.fetchCatalog()]), [flowId]);
  const flow = loaded.data?.[0];
  return (
    <AppShell workspaceId={flow?.workspace_id}>
      {loaded.error != null ? (
        <div className="page-error">
          <p>This flow could not be opened: {errorMessage(loaded.error)}</p>
          <Link to="/">Back to the flows</Link>
        </div>
      ) : loaded.data && flow ? (
        <FlowEditor key={flow.id} flow={flow} catalog={loaded.data[1]} />
      ) : (
        <p className="loading">Loading the flow…</p>
      )}
    </AppShell>
  );
}
