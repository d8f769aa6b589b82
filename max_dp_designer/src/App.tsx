import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import type { Catalog } from './lib/catalog';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { MembersPage } from './pages/MembersPage';
import { PublishPage } from './pages/PublishPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SchedulesPage } from './pages/SchedulesPage';
import { useSignedIn } from './pages/session';
import { matchPath, navigate, useLocation } from './router';

// The canvas (React Flow and the editor) loads when a flow is opened: the other screens start faster.
const FlowPage = lazy(() => import('./pages/FlowPage').then((m) => ({ default: m.FlowPage })));

// The demo and its fixture catalog load only with ?demo.
const Demo = lazy(async () => {
  const [{ DemoDesigner }, fixture] = await Promise.all([import('./demo/DemoDesigner'), import('./test/fixtures/catalog.json')]);
  const catalog = fixture.default as unknown as Catalog;
  return { default: () => <DemoDesigner catalog={catalog} /> };
});

type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

const ROUTES: Route[] = [
  ['/', () => <HomePage workspaceId={null} />],
  ['/workspaces/:workspaceId', (p) => <HomePage workspaceId={p.workspaceId!} />],
  ['/workspaces/:workspaceId/api-keys', (p) => <ApiKeysPage key={p.workspaceId} workspaceId={p.workspaceId!} />],
  ['/workspaces/:workspaceId/connections', (p) => <ConnectionsPage key={p.workspaceId} workspaceId={p.workspaceId!} />],
  ['/workspaces/:workspaceId/members', (p) => <MembersPage key={p.workspaceId} workspaceId={p.workspaceId!} />],
  ['/flows/:flowId', (p) => <FlowPage key={p.flowId} flowId={p.flowId!} />],
  ['/flows/:flowId/publish', (p) => <PublishPage key={p.flowId} flowId={p.flowId!} />],
  ['/flows/:flowId/schedules', (p) => <SchedulesPage key={p.flowId} flowId={p.flowId!} />],
  ['/runs', () => <RunsPage />],
  ['/runs/:runId', (p) => <RunPage key={p.runId} runId={p.runId!} />],
];

export function App() {
  const { pathname, search } = useLocation();
  const signedIn = useSignedIn();
  if (new URLSearchParams(search).has('demo')) {
    return (
      <Suspense fallback={<p className="loading">Loading the demo…</p>}>
        <Demo />
      </Suspense>
    );
  }
  if (!signedIn || pathname === '/login') return <Login />;
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return <Suspense fallback={<p className="loading">Loading…</p>}>{render(params)}</Suspense>;
  }
  return <NotFound />;
}

/** The login form; afterwards the page that was asked for (or the flows from /login). */
function Login() {
  const signedIn = useSignedIn();
  const { pathname } = useLocation();
  useEffect(() => {
    if (signedIn && pathname === '/login') navigate('/', { replace: true, force: true });
  }, [signedIn, pathname]);
  return <LoginPage />;
}

function NotFound() {
  return (
    <div className="page-error">
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <a href="/">Go to the flows</a>.
      </p>
    </div>
  );
}
