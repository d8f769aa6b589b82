import { useState } from 'react';
import type { FlowParameter } from '../../lib/flow-document';
import { formatDefault, parseDefault } from '../../lib/parameters';

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * A parameter's default, typed as its parameter says. Text that does not fit shows an inline
 * error and stays out of the document; the input follows the document again after an undo, a
 * change of type or a removal above it.
 */
export function DefaultInput({ id, param, onChange }: { id: string; param: FlowParameter; onChange: (value: unknown) => void }) {
  // Rows are keyed by position: the name tells when another parameter moved into this one.
  const source = JSON.stringify([param.name, param.type, param.items ?? null, param.default ?? null]);
  const [synced, setSynced] = useState(source);
  const [draft, setDraft] = useState(() => formatDefault(param.default));
  if (synced !== source) {
    setSynced(source);
    setDraft(formatDefault(param.default));
  }
  const parsed = parseDefault(param.type, draft, param.items);
  const error = parsed.ok ? null : parsed.error;
  const errorId = `${id}-error`;

  const change = (text: string) => {
    setDraft(text);
    const next = parseDefault(param.type, text, param.items);
    if (next.ok && !sameValue(next.value, param.default)) onChange(next.value);
  };

  return (
    <div className="field">
      <label htmlFor={id}>Default</label>
      {param.type === 'boolean' ? (
        <select
          id={id}
          value={param.default === true ? 'true' : param.default === false ? 'false' : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}
        >
          <option value="">— none —</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          id={id}
          type="text"
          className={param.type === 'string' ? undefined : 'mono'}
          value={draft}
          placeholder={PLACEHOLDERS[param.type]}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => change(e.target.value)}
        />
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const PLACEHOLDERS: Partial<Record<FlowParameter['type'], string>> = {
  date: 'YYYY-MM-DD',
  list: 'comma-separated',
  integer: 'none',
  number: 'none',
  string: 'none',
};
