import type { ReactNode } from 'react';
import { session } from '../api/client';
import { Link, navigate, useLocation } from '../router';
import { useCurrentUser } from './session';

/** Top bar with the main sections and the signed-in user; the page below. */
export function AppShell({ children, workspaceId }: { children: ReactNode; workspaceId?: string | null }) {
  const { pathname } = useLocation();
  const user = useCurrentUser();
  const ws = workspaceId ?? rememberedWorkspace();
  const section = (prefix: string) => (pathname === prefix || pathname.startsWith(`${prefix}/`) ? 'active' : undefined);
  return (
    <div className="app">
      <header className="app-bar">
        <Link to="/" className="brand">
          MAX DP
        </Link>
        <nav aria-label="Sections">
          <Link
            to={ws ? `/workspaces/${ws}` : '/'}
            className={pathname === '/' || section('/flows') || /^\/workspaces\/[^/]+$/.test(pathname) ? 'active' : undefined}
          >
            Flows
          </Link>
          <Link to={ws ? `/runs?workspace_id=${ws}` : '/runs'} className={section('/runs')}>
            Runs
          </Link>
          {ws && (
            <>
              <Link to={`/workspaces/${ws}/api-keys`} className={pathname.endsWith('/api-keys') ? 'active' : undefined}>
                API keys
              </Link>
              <Link to={`/workspaces/${ws}/connections`} className={pathname.endsWith('/connections') ? 'active' : undefined}>
                Connections
              </Link>
              <Link to={`/workspaces/${ws}/members`} className={pathname.endsWith('/members') ? 'active' : undefined}>
                Members
              </Link>
            </>
          )}
        </nav>
        <span className="spacer" />
        {user && <span className="user">{user.full_name || user.email}</span>}
        <button
          type="button"
          onClick={() => {
            if (!navigate('/login')) return;
            void session.logout();
          }}
        >
          Sign out
        </button>
      </header>
      <main className="app-main">{children}</main>
    </div>
  );
}

const WS_KEY = 'maxdp.workspace';

export function rememberedWorkspace(): string | null {
  try {
    return localStorage.getItem(WS_KEY);
  } catch {
    return null;
  }
}

export function rememberWorkspace(id: string): void {
  try {
    localStorage.setItem(WS_KEY, id);
  } catch {
    /* private mode */
  }
}
