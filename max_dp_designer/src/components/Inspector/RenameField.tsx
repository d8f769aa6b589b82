import { useState } from 'react';

export interface RenameFieldProps {
  inputId: string;
  label: string;
  value: string;
  /** Takes a new value; answers why it is refused (the old value is kept), or null. */
  take: (next: string) => string | null;
}

/** A name edited as a draft and taken on Enter or when leaving the field (node ids, parameter
 * names); a refused one shows why and the field goes back to the current value. */
export function RenameField({ inputId, label, value, take }: RenameFieldProps) {
  const [synced, setSynced] = useState(value);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  if (synced !== value) {
    setSynced(value);
    setDraft(value);
    setError(null);
  }
  const commit = () => {
    const next = draft.trim();
    if (next === value) {
      setDraft(value);
      setError(null);
      return;
    }
    const problem = take(next);
    setError(problem);
    if (problem) setDraft(value);
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        className="mono"
        type="text"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
