import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import * as api from '../api/services';
import { useAsync } from '../lib/use-async';
import { Link } from '../router';
import { AppShell } from './AppShell';
import { CRON_PRESETS, describeFireTime, timeZones } from './deploy-logic';
import { FlowTabs } from './FlowTabs';

/** A flow's schedules: cron in a time zone, with the server's preview of the next fire times. */
export function SchedulesPage({ flowId }: { flowId: string }) {
  const flow = useAsync(() => api.getFlow(flowId), [flowId]);
  const schedules = useAsync(() => api.listFlowSchedules(flowId), [flowId]);
  const [error, setError] = useState<string | null>(null);
  const f = flow.data;

  const act = (p: Promise<unknown>) =>
    p.then(
      () => (setError(null), schedules.reload()),
      (err: unknown) => setError(errorMessage(err)),
    );

  return (
    <AppShell workspaceId={f?.workspace_id}>
      <div className="deploy-page">
        <FlowTabs flowId={flowId} workspaceId={f?.workspace_id} name={f?.name} />
        <div className="deploy-grid">
          <section>
            <h2>New schedule</h2>
            <ScheduleForm flowId={flowId} onCreated={schedules.reload} />
          </section>
          <section>
            <h2>Schedules</h2>
            {error && <p className="field-error">{error}</p>}
            {schedules.data?.items.length === 0 && <p className="muted">No schedules yet.</p>}
            <ul className="schedule-list">
              {schedules.data?.items.map((s) => (
                <li key={s.id}>
                  <header>
                    <strong>{s.name || s.cron}</strong>
                    <code>{s.cron}</code>
                    <span className="muted">{s.timezone}</span>
                    <span className={`status-badge ${s.enabled ? 'status-succeeded' : 'status-canceled'}`}>{s.enabled ? 'on' : 'off'}</span>
                    <span className="spacer" />
                    <button type="button" onClick={() => void act(api.updateSchedule(s.id, { enabled: !s.enabled }))}>
                      {s.enabled ? 'Pause' : 'Resume'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => window.confirm(`Delete the schedule “${s.name || s.cron}”?`) && void act(api.deleteSchedule(s.id))}
                    >
                      Delete
                    </button>
                  </header>
                  <p className="muted">
                    {s.version ? `Runs v${s.version}` : 'Runs the latest saved version'}
                    {Object.keys(s.params).length > 0 && ` with ${JSON.stringify(s.params)}`} · missed fires: {s.misfire_policy}
                    {s.last_fire_at && ` · last fired ${new Date(s.last_fire_at).toLocaleString()}`}
                  </p>
                  {s.enabled && (s.next_fire_times?.length ?? 0) > 0 && (
                    <ol className="fire-times">
                      {s.next_fire_times!.map((t) => (
                        <li key={t}>{describeFireTime(t, s.timezone)}</li>
                      ))}
                    </ol>
                  )}
                  <Fires scheduleId={s.id} />
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </AppShell>
  );
}

function ScheduleForm({ flowId, onCreated }: { flowId: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [cron, setCron] = useState('0 9 * * 1-5');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [params, setParams] = useState('{}');
  const [misfire, setMisfire] = useState<'skip' | 'run_once'>('skip');
  const [error, setError] = useState<string | null>(null);
  const preview = useCronPreview(cron, timezone);
  const zones = useState(timeZones)[0];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(params || '{}') as Record<string, unknown>;
    } catch (err) {
      setError(`Parameters: ${(err as Error).message}`);
      return;
    }
    try {
      await api.createSchedule(flowId, { name: name.trim(), cron: cron.trim(), timezone, params: parsed, enabled: true, misfire_policy: misfire });
      setError(null);
      setName('');
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label="New schedule">
      <label htmlFor="sch-name">Name</label>
      <input id="sch-name" value={name} placeholder="weekday report" onChange={(e) => setName(e.target.value)} />
      <label htmlFor="sch-cron">Cron</label>
      <div>
        <input id="sch-cron" className="mono" required value={cron} onChange={(e) => setCron(e.target.value)} aria-invalid={preview.error ? true : undefined} />
        <small className="help">minute hour day-of-month month day-of-week</small>
        <div className="presets">
          {CRON_PRESETS.map(([label, value]) => (
            <button key={value} type="button" className="chip" onClick={() => setCron(value)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      <label htmlFor="sch-tz">Time zone</label>
      <div>
        <input id="sch-tz" list="sch-zones" required value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        <datalist id="sch-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </div>
      <span>Next fires</span>
      <div className="cron-preview" aria-live="polite" data-testid="cron-preview">
        {preview.error ? (
          <p className="field-error">{preview.error}</p>
        ) : (
          <ol className="fire-times">
            {preview.times.map((t) => (
              <li key={t}>{describeFireTime(t, timezone)}</li>
            ))}
          </ol>
        )}
      </div>
      <label htmlFor="sch-params">Parameters</label>
      <textarea id="sch-params" className="mono" rows={2} value={params} onChange={(e) => setParams(e.target.value)} />
      <label htmlFor="sch-misfire">Missed fires</label>
      <select id="sch-misfire" value={misfire} onChange={(e) => setMisfire(e.target.value as typeof misfire)}>
        <option value="skip">skip them</option>
        <option value="run_once">run once to catch up</option>
      </select>
      <span />
      <div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={Boolean(preview.error)}>
          Create schedule
        </button>
      </div>
    </form>
  );
}

/** The server's next fire times for a cron and zone, asked again 300 ms after typing stops. */
function useCronPreview(cron: string, timezone: string) {
  const [state, setState] = useState<{ times: string[]; error: string | null }>({ times: [], error: null });
  useEffect(() => {
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      if (!cron.trim() || !timezone.trim()) return;
      api.previewSchedule(cron.trim(), timezone.trim(), 5, ctrl.signal).then(
        (r) => setState({ times: r.next_fire_times, error: null }),
        (err: unknown) => !ctrl.signal.aborted && setState({ times: [], error: errorMessage(err) }),
      );
    }, 300);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [cron, timezone]);
  return state;
}

function Fires({ scheduleId }: { scheduleId: string }) {
  const [open, setOpen] = useState(false);
  const fires = useAsync(() => (open ? api.listFires(scheduleId) : Promise.resolve(null)), [open, scheduleId]);
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Recent fires</summary>
      {fires.data?.items.length === 0 && <p className="muted">None yet.</p>}
      <ul className="fires">
        {fires.data?.items.map((f) => (
          <li key={f.id}>
            {new Date(f.fire_time).toLocaleString()} · <span className={`status-badge status-${f.status}`}>{f.status}</span>
            {f.run_id && (
              <>
                {' '}
                · <Link to={`/runs/${f.run_id}`}>run</Link>
              </>
            )}
            {f.message && <span className="muted"> · {f.message}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
