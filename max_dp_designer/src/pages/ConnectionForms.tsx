// The forms of the connections page: a new connection, and one edited in place (only the fields
// that changed are sent; secrets only when typed).
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, formErrors, type FormErrors } from '../api/errors';
import * as api from '../api/services';
import { CONNECTION_FIELDS, connectionChanges, connectionValues, type ConnectionValues, type SecretEdit } from './edit-logic';
import { FieldError } from './FieldError';

type Kind = api.ConnectionCreate['kind'];
const KINDS: Kind[] = ['postgresql', 'mysql', 'supabase', 'sqlite', 'http'];

export function NewConnection({ workspaceId, onCreated }: { workspaceId: string; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<Kind>('postgresql');
  const [form, setForm] = useState<Record<string, string>>({});
  const [readOnly, setReadOnly] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const field = (k: string, label: string, props: Record<string, unknown> = {}) => (
    <>
      <label htmlFor={`conn-${k}`}>{label}</label>
      <input id={`conn-${k}`} value={form[k] ?? ''} onChange={set(k)} {...props} />
    </>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const str = (k: string) => (form[k]?.trim() ? form[k]!.trim() : null);
    try {
      await api.createConnection(workspaceId, {
        name: form.name?.trim() ?? '',
        kind,
        description: form.description ?? '',
        host: str('host'),
        port: form.port ? Number(form.port) : null,
        user: str('user'),
        database: str('database'),
        password: str('password'),
        url: str('url'),
        read_only: readOnly,
        options: {},
        statement_timeout_s: 30,
      });
      setForm({});
      setError(null);
      setOpen(false);
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        New connection…
      </button>
    );
  }
  const sql = kind !== 'http';
  return (
    <form className="form-grid new-connection" onSubmit={(e) => void submit(e)} aria-label="New connection">
      {field('name', 'Name', { required: true, placeholder: 'warehouse' })}
      <label htmlFor="conn-kind">Kind</label>
      <select id="conn-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {KINDS.map((k) => (
          <option key={k}>{k}</option>
        ))}
      </select>
      {field('description', 'Description')}
      {sql && kind !== 'sqlite' && field('host', 'Host', { placeholder: '127.0.0.1' })}
      {sql && kind !== 'sqlite' && field('port', 'Port', { type: 'number', min: 1, max: 65535 })}
      {sql && kind !== 'sqlite' && field('user', 'User')}
      {sql && field('database', kind === 'sqlite' ? 'Database file' : 'Database')}
      {sql && kind !== 'sqlite' && field('password', 'Password', { type: 'password', autoComplete: 'new-password' })}
      {!sql && field('url', 'Base URL', { placeholder: 'https://api.example.com' })}
      {sql && (
        <>
          <span />
          <label>
            <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> read-only sessions
          </label>
        </>
      )}
      <span />
      <div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create
        </button>{' '}
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Edits a connection in place: prefilled from what the server sent, PATCH with only the fields
 * that changed. Secrets (`password`, `url`, `headers`) are write-only: the form says whether each
 * is set, sends one only when a new value is typed, and removes it with "Clear".
 */
export function ConnectionEditForm({
  connection: c,
  onSaved,
  onCancel,
}: {
  connection: api.Connection;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<ConnectionValues>(() => connectionValues(c));
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, other: null });
  const [busy, setBusy] = useState(false);
  const id = useId();
  const set = <K extends keyof ConnectionValues>(key: K, value: ConnectionValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => (e.fields[key] ? { ...e, fields: { ...e.fields, [key]: '' } } : e));
  };
  const errorId = (key: string) => (errors.fields[key] ? `${id}-${key}-error` : undefined);
  const aria = (key: string) => ({ 'aria-invalid': errors.fields[key] ? true : undefined, 'aria-describedby': errorId(key) });
  const row = (key: keyof ConnectionValues, label: string, input: ReactNode) => (
    <>
      <label htmlFor={`${id}-${key}`} className={key === 'options' ? 'for-textarea' : undefined}>
        {label}
      </label>
      <div>
        {input}
        <FieldError id={errorId(key)} message={errors.fields[key]} />
      </div>
    </>
  );
  const text = (key: 'name' | 'description' | 'host' | 'port' | 'user' | 'database' | 'statement_timeout_s', label: string, props: Record<string, unknown> = {}) =>
    row(key, label, <input id={`${id}-${key}`} value={values[key]} onChange={(e) => set(key, e.target.value)} {...aria(key)} {...props} />);
  const secret = (key: 'password' | 'url', label: string, isSet: boolean) =>
    row(key, label, <SecretInput id={`${id}-${key}`} label={label} isSet={isSet} edit={values[key]} onChange={(edit) => set(key, edit)} aria={aria(key)} />);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = connectionChanges(c, values);
      if (Object.keys(body).length > 0) await api.updateConnection(c.id, body);
      setErrors({ fields: {}, other: null });
      onSaved();
    } catch (err) {
      setErrors(formErrors(err, CONNECTION_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const sql = c.kind !== 'http';
  const server = sql && c.kind !== 'sqlite';
  return (
    <form className="form-grid edit-connection" onSubmit={(e) => void submit(e)} aria-label={`Edit connection ${c.name}`}>
      {text('name', 'Name', { required: true })}
      <span>Kind</span>
      <div>
        {c.kind} <span className="help">the kind cannot change: create another connection</span>
      </div>
      {text('description', 'Description')}
      {server && text('host', 'Host', { placeholder: '127.0.0.1' })}
      {server && text('port', 'Port', { type: 'number', min: 1, max: 65535 })}
      {server && text('user', 'User')}
      {sql && text('database', c.kind === 'sqlite' ? 'Database file' : 'Database')}
      {server && secret('password', 'Password', c.has_password)}
      {c.kind !== 'sqlite' && secret('url', sql ? 'URL (DSN)' : 'Base URL', c.has_url)}
      {!sql && (
        <>
          <span>Headers</span>
          <div>
            <HeadersInput id={`${id}-headers`} names={c.header_names} value={values.headers} onChange={(h) => set('headers', h)} />
            <FieldError id={errorId('headers')} message={errors.fields.headers} />
          </div>
        </>
      )}
      {row(
        'options',
        'Options',
        <textarea
          id={`${id}-options`}
          className="mono"
          rows={2}
          value={values.options}
          onChange={(e) => set('options', e.target.value)}
          {...aria('options')}
        />,
      )}
      {sql && text('statement_timeout_s', 'Statement timeout (s)', { type: 'number', min: 0.001, step: 'any', required: true })}
      {sql && (
        <>
          <span />
          <div>
            <label>
              <input type="checkbox" checked={values.read_only} onChange={(e) => set('read_only', e.target.checked)} /> read-only sessions
            </label>
            <FieldError id={errorId('read_only')} message={errors.fields.read_only} />
          </div>
        </>
      )}
      {!c.secrets_readable && (
        <>
          <span />
          <p className="field-error">The stored secrets were encrypted with another MAXDP_SECRET_KEY: type them again.</p>
        </>
      )}
      <span />
      <div>
        {errors.other && (
          <p className="field-error" role="alert">
            {errors.other}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A write-only secret: whether it is set, a box to type a new one, and Clear (remove it). */
function SecretInput({
  id,
  label,
  isSet,
  edit,
  onChange,
  aria,
}: {
  id: string;
  label: string;
  isSet: boolean;
  edit: SecretEdit;
  onChange: (edit: SecretEdit) => void;
  aria: { 'aria-invalid': boolean | undefined; 'aria-describedby': string | undefined };
}) {
  const state = edit.clear ? 'will be removed' : edit.value ? (isSet ? 'will be replaced' : 'will be set') : isSet ? 'set' : 'not set';
  return (
    <div className="secret-input">
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={edit.value}
        placeholder={isSet ? 'unchanged; type a new one to replace it' : 'not set; type one to set it'}
        disabled={edit.clear}
        onChange={(e) => onChange({ value: e.target.value, clear: false })}
        aria-invalid={aria['aria-invalid']}
        aria-describedby={[`${id}-state`, aria['aria-describedby']].filter(Boolean).join(' ')}
      />
      <span id={`${id}-state`} className={`secret-state${isSet && !edit.clear ? ' set' : ''}`} data-testid={`${id}-state`}>
        {state}
      </span>
      {isSet &&
        (edit.clear ? (
          <button type="button" onClick={() => onChange({ value: '', clear: false })}>
            Keep
          </button>
        ) : (
          <button type="button" aria-label={`Clear ${label}`} onClick={() => onChange({ value: '', clear: true })}>
            Clear
          </button>
        ))}
    </div>
  );
}

/** http headers (write-only): the names stored; typed rows replace them all; Clear removes them. */
function HeadersInput({
  id,
  names,
  value,
  onChange,
}: {
  id: string;
  names: readonly string[];
  value: ConnectionValues['headers'];
  onChange: (value: ConnectionValues['headers']) => void;
}) {
  const rows = value.rows;
  const setRow = (i: number, patch: Partial<{ name: string; value: string }>) =>
    onChange({ rows: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)), clear: false });
  const state = value.clear
    ? 'will be removed'
    : rows.some((r) => r.name.trim())
      ? 'will be replaced by the rows below'
      : names.length
        ? `set: ${names.join(', ')}`
        : 'not set';
  return (
    <div className="headers-input" role="group" aria-label="Headers">
      <span className="secret-state" id={`${id}-state`}>
        {state}
      </span>{' '}
      {names.length > 0 &&
        (value.clear ? (
          <button type="button" onClick={() => onChange({ rows: [], clear: false })}>
            Keep
          </button>
        ) : (
          <button type="button" aria-label="Clear Headers" onClick={() => onChange({ rows: [], clear: true })}>
            Clear
          </button>
        ))}
      {rows.map((r, i) => (
        <div key={i} className="header-row">
          <input aria-label={`Header ${i + 1} name`} placeholder="Authorization" value={r.name} onChange={(e) => setRow(i, { name: e.target.value })} />
          <input
            aria-label={`Header ${i + 1} value`}
            type="password"
            autoComplete="new-password"
            value={r.value}
            onChange={(e) => setRow(i, { value: e.target.value })}
          />
          <button type="button" aria-label={`Remove header ${i + 1}`} onClick={() => onChange({ rows: rows.filter((_, j) => j !== i), clear: false })}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange({ rows: [...rows, { name: '', value: '' }], clear: false })}>
        {names.length && rows.length === 0 ? 'Replace headers…' : 'Add header'}
      </button>
      <small className="help">Headers typed here replace the stored ones as a whole.</small>
    </div>
  );
}
