import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import type { FlowDocument } from '../lib/flow-document';
import { useAsync } from '../lib/use-async';
import { Link } from '../router';
import { AppShell } from './AppShell';
import { CopyButton } from './CopyButton';
import { curlExample, endpointName, exampleBody } from './deploy-logic';
import { FlowTabs } from './FlowTabs';

/** Publish a saved version as /execute/<endpoint>: auth, rate limit, and how to call it. */
export function PublishPage({ flowId }: { flowId: string }) {
  const flow = useAsync(() => api.getFlow(flowId), [flowId]);
  const versions = useAsync(() => api.listVersions(flowId), [flowId]);
  const endpoints = useAsync(() => api.listFlowEndpoints(flowId), [flowId]);
  const [selected, setSelected] = useState<string | null>(null);
  const f = flow.data;
  const list = endpoints.data ?? [];
  const current = list.find((e) => e.endpoint === selected) ?? list[0];

  return (
    <AppShell workspaceId={f?.workspace_id}>
      <div className="deploy-page">
        <FlowTabs flowId={flowId} workspaceId={f?.workspace_id} name={f?.name} />
        {flow.error != null && <p className="field-error">{errorMessage(flow.error)}</p>}
        {f && (
          <div className="deploy-grid">
            <section>
              <h2>Publish</h2>
              {versions.data?.items.length === 0 ? (
                <p className="muted">
                  Publishing serves a saved version. <Link to={`/flows/${flowId}`}>Open the canvas</Link> and use “Save version…”
                  first.
                </p>
              ) : (
                <PublishForm
                  flow={f}
                  versions={versions.data?.items ?? []}
                  onPublished={(e) => {
                    setSelected(e.endpoint);
                    endpoints.reload();
                  }}
                />
              )}
              <h2>Endpoints of this flow</h2>
              {list.length === 0 && <p className="muted">Not published yet.</p>}
              <ul className="endpoint-list">
                {list.map((e) => (
                  <li key={e.id} className={e === current ? 'active' : undefined}>
                    <button type="button" className="link" onClick={() => setSelected(e.endpoint)}>
                      <code>{e.url}</code>
                    </button>
                    <span className="muted">
                      v{e.version} · {e.auth} · {e.rate_limit ? `${e.rate_limit}/min` : 'no limit'} · {e.mode}
                      {!e.enabled && ' · disabled'}
                    </span>
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        window.confirm(`Unpublish ${e.url}? Callers will get 404.`) &&
                        void api.unpublish(flowId, e.endpoint).then(endpoints.reload)
                      }
                    >
                      Unpublish
                    </button>
                  </li>
                ))}
              </ul>
            </section>
            <section>{current && <CallIt endpoint={current} document={f.document as unknown as FlowDocument} />}</section>
          </div>
        )}
      </div>
    </AppShell>
  );
}

function PublishForm({
  flow,
  versions,
  onPublished,
}: {
  flow: api.FlowRead;
  versions: api.VersionSummary[];
  onPublished: (e: api.Endpoint) => void;
}) {
  const [endpoint, setEndpoint] = useState(() => endpointName(flow.name));
  const [version, setVersion] = useState('');
  const [auth, setAuth] = useState<api.PublishRequest['auth']>('api_key');
  const [rateLimit, setRateLimit] = useState('60');
  const [mode, setMode] = useState<api.PublishRequest['mode']>('sync');
  const [recordRuns, setRecordRuns] = useState<api.PublishRequest['record_runs']>('all');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const published = await api.publish(flow.id, {
        endpoint: endpoint.trim(),
        version: version ? Number(version) : null,
        auth,
        rate_limit: rateLimit ? Number(rateLimit) : null,
        mode,
        record_runs: recordRuns,
        enabled: true,
      });
      onPublished(published);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label="Publish">
      <label htmlFor="pub-endpoint">Endpoint</label>
      <div>
        <div className="input-prefix">
          <span>/execute/</span>
          <input id="pub-endpoint" required pattern="[a-z0-9][a-z0-9_\-]{1,62}" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />
        </div>
        <small className="help">2–63 of a–z 0–9 _ -; unique on the server. Publishing again under the same name replaces it.</small>
      </div>
      <label htmlFor="pub-version">Version</label>
      <select id="pub-version" value={version} onChange={(e) => setVersion(e.target.value)}>
        <option value="">latest (v{versions[0]?.version ?? '?'})</option>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
            {v.comment ? ` — ${v.comment}` : ''}
          </option>
        ))}
      </select>
      <label htmlFor="pub-auth">Auth</label>
      <select id="pub-auth" value={auth} onChange={(e) => setAuth(e.target.value as typeof auth)}>
        <option value="api_key">API key of this workspace</option>
        <option value="jwt">Signed-in members (access token)</option>
        <option value="public">Public: anyone</option>
      </select>
      <label htmlFor="pub-rate">Rate limit</label>
      <div className="input-suffix">
        <input id="pub-rate" type="number" min={1} max={1000000} placeholder="no limit" value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />
        <span>calls / minute / caller</span>
      </div>
      <label htmlFor="pub-mode">Mode</label>
      <select id="pub-mode" value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
        <option value="sync">sync: answer with the outputs</option>
        <option value="async">async: 202 with a run id to poll</option>
      </select>
      <label htmlFor="pub-record">Run history</label>
      <select id="pub-record" value={recordRuns} onChange={(e) => setRecordRuns(e.target.value as typeof recordRuns)}>
        <option value="all">record every call</option>
        <option value="errors">record failed calls only</option>
        <option value="none">record nothing</option>
      </select>
      <span />
      <div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Publishing…' : 'Publish'}
        </button>
      </div>
    </form>
  );
}

/** How to call the endpoint: a copyable curl example, an API key made for it, and a test call. */
function CallIt({ endpoint, document }: { endpoint: api.Endpoint; document: FlowDocument }) {
  const [key, setKey] = useState<api.ApiKeyCreated | null>(null);
  const [keyError, setKeyError] = useState<string | null>(null);
  const [body, setBody] = useState(() => JSON.stringify(exampleBody(document.parameters), null, 2));
  const [answer, setAnswer] = useState<{ status: number; text: string; ms: number } | null>(null);
  const [calling, setCalling] = useState(false);
  useEffect(() => {
    setKey(null);
    setAnswer(null);
  }, [endpoint.endpoint]);

  const parsed = useMemo(() => {
    try {
      return { ok: true as const, value: JSON.parse(body) as unknown };
    } catch (err) {
      return { ok: false as const, error: (err as Error).message };
    }
  }, [body]);
  const curl = curlExample({
    origin: window.location.origin,
    url: endpoint.url,
    auth: endpoint.auth,
    body: parsed.ok ? parsed.value : exampleBody(document.parameters),
    apiKey: key?.key,
  });

  const makeKey = async () => {
    setKeyError(null);
    try {
      setKey(await api.createApiKey(endpoint.workspace_id, `${endpoint.endpoint} key`, [endpoint.endpoint]));
    } catch (err) {
      setKeyError(errorMessage(err));
    }
  };

  const call = async () => {
    if (!parsed.ok) return;
    setCalling(true);
    try {
      setAnswer(await api.callEndpoint(endpoint.url, parsed.value, endpoint.auth === 'api_key' ? key?.key : undefined));
    } catch (err) {
      setAnswer({ status: 0, text: errorMessage(err), ms: 0 });
    } finally {
      setCalling(false);
    }
  };

  return (
    <div className="call-it" aria-label="Call the endpoint">
      <h2>
        Call <code>{endpoint.url}</code>
      </h2>
      <p className="muted">
        Version {endpoint.version}, published {new Date(endpoint.published_at).toLocaleString()}.{' '}
        {endpoint.auth === 'api_key' && 'Callers send a key of this workspace in X-API-Key.'}
        {endpoint.auth === 'jwt' && 'Callers send a member’s access token.'}
        {endpoint.auth === 'public' && 'Anyone may call it.'}
        {endpoint.rate_limit ? ` At most ${endpoint.rate_limit} calls a minute per caller.` : ''}
      </p>
      {endpoint.auth === 'api_key' && (
        <div className="key-box">
          {key ? (
            <>
              <p>
                <strong>New API key “{key.name}”</strong> (only for this endpoint). Copy it now: it is shown only once.
              </p>
              <div className="secret">
                <code data-testid="new-api-key">{key.key}</code>
                <CopyButton text={key.key} />
              </div>
            </>
          ) : (
            <>
              <button type="button" onClick={() => void makeKey()}>
                Create an API key for this endpoint
              </button>{' '}
              <span className="muted">
                or use one from <Link to={`/workspaces/${endpoint.workspace_id}/api-keys`}>API keys</Link>.
              </span>
            </>
          )}
          {keyError && <p className="field-error">{keyError}</p>}
        </div>
      )}
      <div className="field">
        <label htmlFor="call-body">Body</label>
        <textarea id="call-body" className="mono" rows={4} value={body} onChange={(e) => setBody(e.target.value)} aria-invalid={!parsed.ok || undefined} />
        {!parsed.ok && <p className="field-error">{parsed.error}</p>}
      </div>
      <div className="curl">
        <pre data-testid="curl-example">{curl}</pre>
        <CopyButton text={curl} label="Copy curl" />
      </div>
      <button
        type="button"
        className="primary"
        onClick={() => void call()}
        disabled={calling || !parsed.ok || (endpoint.auth === 'api_key' && !key)}
        title={endpoint.auth === 'api_key' && !key ? 'Create a key first' : undefined}
      >
        {calling ? 'Calling…' : 'Try it'}
      </button>
      {answer && (
        <div className="call-answer">
          <p>
            <span className={`status-badge ${answer.status >= 200 && answer.status < 300 ? 'status-succeeded' : 'status-failed'}`}>
              HTTP {answer.status}
            </span>{' '}
            <span className="muted">{Math.round(answer.ms)} ms</span>
          </p>
          <pre data-testid="call-answer">{pretty(answer.text)}</pre>
        </div>
      )}
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
