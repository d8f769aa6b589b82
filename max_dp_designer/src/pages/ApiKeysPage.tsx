import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { AppShell } from './AppShell';
import { CopyButton } from './CopyButton';

/** A workspace's API keys for published endpoints: create (shown once), list, revoke. */
export function ApiKeysPage({ workspaceId }: { workspaceId: string }) {
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useAsync(() => api.listApiKeys(workspaceId, showRevoked), [workspaceId, showRevoked]);
  const [created, setCreated] = useState<api.ApiKeyCreated | null>(null);
  const [name, setName] = useState('');
  const [endpoints, setEndpoints] = useState('');
  const [error, setError] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const only = endpoints
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      setCreated(await api.createApiKey(workspaceId, name.trim(), only.length ? only : null));
      setName('');
      setEndpoints('');
      setError(null);
      keys.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const revoke = async (key: api.ApiKey) => {
    if (!window.confirm(`Revoke “${key.name}” (${key.prefix}…)? Calls with it fail from now on.`)) return;
    try {
      await api.revokeApiKey(workspaceId, key.id);
      keys.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <AppShell workspaceId={workspaceId}>
      <div className="runs-page">
        <header className="page-header">
          <h1>API keys</h1>
          <label>
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} /> show revoked
          </label>
        </header>
        <p className="muted">Keys let programs call this workspace’s endpoints published with “API key” auth. The server keeps only a hash.</p>
        <form className="inline-form" onSubmit={(e) => void create(e)} aria-label="New API key">
          <input aria-label="Key name" placeholder="Key name (who uses it)" required value={name} onChange={(e) => setName(e.target.value)} />
          <input
            aria-label="Only these endpoints"
            placeholder="Only these endpoints (optional, comma separated)"
            value={endpoints}
            onChange={(e) => setEndpoints(e.target.value)}
          />
          <button type="submit" className="primary">
            Create key
          </button>
        </form>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {created && (
          <div className="key-box" role="status">
            <p>
              <strong>“{created.name}”</strong> created. Copy the key now: it is shown only once.
            </p>
            <div className="secret">
              <code data-testid="new-api-key">{created.key}</code>
              <CopyButton text={created.key} />
              <button type="button" onClick={() => setCreated(null)}>
                Done
              </button>
            </div>
          </div>
        )}
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Endpoints</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data?.items.map((k) => (
              <tr key={k.id} className={k.revoked_at ? 'revoked' : undefined}>
                <td>{k.name}</td>
                <td>
                  <code>mdp_{k.prefix}_…</code>
                </td>
                <td>{k.endpoints?.length ? k.endpoints.join(', ') : <span className="muted">all</span>}</td>
                <td>{new Date(k.created_at).toLocaleString()}</td>
                <td>{k.last_used_at ? new Date(k.last_used_at).toLocaleString() : <span className="muted">never</span>}</td>
                <td className="row-actions">
                  {k.revoked_at ? (
                    <span className="muted">revoked {new Date(k.revoked_at).toLocaleDateString()}</span>
                  ) : (
                    <button type="button" className="danger" onClick={() => void revoke(k)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {keys.data?.items.length === 0 && <p className="muted">No keys.</p>}
      </div>
    </AppShell>
  );
}
