import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorMessage, formErrors, type FormErrors } from '../api/errors';
import * as api from '../api/services';
import type { Schedule } from '../api/services';
import { useAsync } from '../lib/use-async';
import { Link } from '../router';
import { AppShell } from './AppShell';
import { CRON_PRESETS, describeFireTime, timeZones } from './deploy-logic';
import { parseJsonObject, SCHEDULE_FIELDS, scheduleChanges, scheduleValues, type MisfirePolicy, type ScheduleValues } from './edit-logic';
import { FieldError } from './FieldError';
import { FlowTabs } from './FlowTabs';

/** A flow's schedules: cron in a time zone, with the server's preview of the next fire times. */
export function SchedulesPage({ flowId }: { flowId: string }) {
  const flow = useAsync(() => api.getFlow(flowId), [flowId]);
  const schedules = useAsync(() => api.listFlowSchedules(flowId), [flowId]);
  const versions = useAsync(() => api.listVersions(flowId), [flowId]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const f = flow.data;
  const versionNumbers = versions.data?.items.map((v) => v.version) ?? [];

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
            <ScheduleForm flowId={flowId} versions={versionNumbers} onSaved={schedules.reload} />
          </section>
          <section>
            <h2>Schedules</h2>
            {error && <p className="field-error">{error}</p>}
            {schedules.data?.items.length === 0 && <p className="muted">No schedules yet.</p>}
            <ul className="schedule-list">
              {schedules.data?.items.map((s) => (
                <li key={s.id} data-schedule-id={s.id}>
                  <header>
                    <strong>{s.name || s.cron}</strong>
                    <code>{s.cron}</code>
                    <span className="muted">{s.timezone}</span>
                    <span className={`status-badge ${s.enabled ? 'status-succeeded' : 'status-canceled'}`}>{s.enabled ? 'on' : 'off'}</span>
                    <span className="spacer" />
                    <button type="button" aria-pressed={editing === s.id} onClick={() => setEditing(editing === s.id ? null : s.id)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      disabled={editing === s.id} // the form holds the enabled state meanwhile
                      onClick={() => void act(api.updateSchedule(s.id, { enabled: !s.enabled }))}
                    >
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
                  {editing === s.id ? (
                    <ScheduleForm
                      flowId={flowId}
                      versions={versionNumbers}
                      schedule={s}
                      onSaved={() => {
                        setEditing(null);
                        setError(null);
                        schedules.reload(); // the server's next fire times for the new cron, zone or state
                      }}
                      onCancel={() => setEditing(null)}
                    />
                  ) : (
                    <>
                      <p className="muted">
                        {s.version ? `Runs v${s.version}` : 'Runs the latest saved version'}
                        {Object.keys(s.params).length > 0 && ` with ${JSON.stringify(s.params)}`} · missed fires: {s.misfire_policy}
                        {s.last_fire_at && ` · last fired ${new Date(s.last_fire_at).toLocaleString()}`}
                      </p>
                      {s.enabled && (s.next_fire_times?.length ?? 0) > 0 && <FireTimes times={s.next_fire_times!} timezone={s.timezone} />}
                    </>
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

/** Fire times in the schedule's zone; each `<time>` carries the server's ISO 8601 value. */
function FireTimes({ times, timezone }: { times: readonly string[]; timezone: string }) {
  return (
    <ol className="fire-times">
      {times.map((t) => (
        <li key={t}>
          <time dateTime={t}>{describeFireTime(t, timezone)}</time>
        </li>
      ))}
    </ol>
  );
}

const NEW_SCHEDULE: ScheduleValues = {
  name: '',
  cron: '0 9 * * 1-5',
  timezone: 'UTC',
  version: '',
  params: '{}',
  enabled: true,
  misfire_policy: 'skip',
};

/**
 * Creates a schedule, or edits `schedule` in place (prefilled; PATCH with only the fields that
 * changed). The server's refusals show under the fields they name.
 */
export function ScheduleForm({
  flowId,
  versions,
  schedule,
  onSaved,
  onCancel,
}: {
  flowId: string;
  /** The flow's saved versions, for pinning one. */
  versions: readonly number[];
  schedule?: Schedule;
  onSaved: () => void;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState<ScheduleValues>(() =>
    schedule ? scheduleValues(schedule) : { ...NEW_SCHEDULE, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' },
  );
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, other: null });
  const [busy, setBusy] = useState(false);
  const preview = useCronPreview(values.cron, values.timezone);
  const zones = useState(timeZones)[0];
  const id = useId();
  const set = <K extends keyof ScheduleValues>(key: K, value: ScheduleValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => (e.fields[key] ? { ...e, fields: { ...e.fields, [key]: '' } } : e));
  };
  const invalid = (key: string) => (errors.fields[key] ? true : undefined);
  const described = (key: string) => (errors.fields[key] ? `${id}-${key}-error` : undefined);
  const pinnable = schedule?.version != null && !versions.includes(schedule.version) ? [schedule.version, ...versions] : versions;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      if (schedule) {
        const body = scheduleChanges(schedule, values);
        if (Object.keys(body).length > 0) await api.updateSchedule(schedule.id, body);
      } else {
        const params = parseJsonObject(values.params, 'params');
        await api.createSchedule(flowId, {
          name: values.name.trim(),
          cron: values.cron.trim(),
          timezone: values.timezone.trim(),
          version: values.version === '' ? null : Number(values.version),
          params,
          enabled: values.enabled,
          misfire_policy: values.misfire_policy,
        });
        setValues((v) => ({ ...v, name: '' }));
      }
      setErrors({ fields: {}, other: null });
      onSaved();
    } catch (err) {
      // A params text that is not JSON is caught here too ("params: …").
      setErrors(formErrors(err, SCHEDULE_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const label = schedule ? `Edit schedule ${schedule.name || schedule.cron}` : 'New schedule';
  return (
    <form className={schedule ? 'form-grid schedule-edit' : 'form-grid'} onSubmit={(e) => void submit(e)} aria-label={label}>
      <label htmlFor={`${id}-name`}>Name</label>
      <div>
        <input
          id={`${id}-name`}
          value={values.name}
          placeholder="weekday report"
          onChange={(e) => set('name', e.target.value)}
          aria-invalid={invalid('name')}
          aria-describedby={described('name')}
        />
        <FieldError id={described('name')} message={errors.fields.name} />
      </div>
      <label htmlFor={`${id}-cron`}>Cron</label>
      <div>
        <input
          id={`${id}-cron`}
          className="mono"
          required
          value={values.cron}
          onChange={(e) => set('cron', e.target.value)}
          aria-invalid={preview.error || errors.fields.cron ? true : undefined}
          aria-describedby={described('cron')}
        />
        <FieldError id={described('cron')} message={errors.fields.cron} />
        <small className="help">minute hour day-of-month month day-of-week</small>
        <div className="presets">
          {CRON_PRESETS.map(([name, value]) => (
            <button key={value} type="button" className="chip" onClick={() => set('cron', value)}>
              {name}
            </button>
          ))}
        </div>
      </div>
      <label htmlFor={`${id}-tz`}>Time zone</label>
      <div>
        <input
          id={`${id}-tz`}
          list={`${id}-zones`}
          required
          value={values.timezone}
          onChange={(e) => set('timezone', e.target.value)}
          aria-invalid={invalid('timezone')}
          aria-describedby={described('timezone')}
        />
        <datalist id={`${id}-zones`}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <FieldError id={described('timezone')} message={errors.fields.timezone} />
      </div>
      <span>Next fires</span>
      <div className="cron-preview" aria-live="polite" data-testid="cron-preview">
        {preview.error ? <p className="field-error">{preview.error}</p> : <FireTimes times={preview.times} timezone={values.timezone} />}
      </div>
      <label htmlFor={`${id}-version`}>Version</label>
      <div>
        <select
          id={`${id}-version`}
          value={values.version}
          onChange={(e) => set('version', e.target.value)}
          aria-invalid={invalid('version')}
          aria-describedby={described('version')}
        >
          <option value="">the latest saved version</option>
          {pinnable.map((v) => (
            <option key={v} value={String(v)}>
              v{v}
            </option>
          ))}
        </select>
        <FieldError id={described('version')} message={errors.fields.version} />
      </div>
      <label htmlFor={`${id}-params`} className="for-textarea">
        Parameters
      </label>
      <div>
        <textarea
          id={`${id}-params`}
          className="mono"
          rows={2}
          value={values.params}
          onChange={(e) => set('params', e.target.value)}
          aria-invalid={invalid('params')}
          aria-describedby={described('params')}
        />
        <FieldError id={described('params')} message={errors.fields.params} />
      </div>
      <label htmlFor={`${id}-misfire`}>Missed fires</label>
      <div>
        <select
          id={`${id}-misfire`}
          value={values.misfire_policy}
          onChange={(e) => set('misfire_policy', e.target.value as MisfirePolicy)}
          aria-invalid={invalid('misfire_policy')}
          aria-describedby={described('misfire_policy')}
        >
          <option value="skip">skip them</option>
          <option value="run_once">run once to catch up</option>
        </select>
        <FieldError id={described('misfire_policy')} message={errors.fields.misfire_policy} />
      </div>
      <span />
      <div>
        <label>
          <input type="checkbox" checked={values.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
        </label>
        <FieldError id={described('enabled')} message={errors.fields.enabled} />
      </div>
      <span />
      <div>
        {errors.other && (
          <p className="field-error" role="alert">
            {errors.other}
          </p>
        )}
        <button type="submit" className="primary" disabled={Boolean(preview.error) || busy}>
          {schedule ? (busy ? 'Saving…' : 'Save changes') : 'Create schedule'}
        </button>
        {onCancel && (
          <>
            {' '}
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </>
        )}
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
