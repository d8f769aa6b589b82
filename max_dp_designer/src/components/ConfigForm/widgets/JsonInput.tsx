import { useEffect, useState } from 'react';
import type { WidgetProps } from './types';

function format(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** Anything the form cannot render field by field (static_data rows …), edited as JSON. */
export function JsonInput({ id, value, onChange, ariaLabel }: WidgetProps) {
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Take outside changes (undo), but never reformat what the user is typing.
    setText((current) => (sameJson(current, value) ? current : format(value)));
  }, [value]);

  const commit = () => {
    if (text.trim() === '') {
      setError(null);
      onChange(undefined);
      return;
    }
    try {
      onChange(JSON.parse(text));
      setError(null);
    } catch (err) {
      setError(`Invalid JSON: ${(err as Error).message}`);
    }
  };
  return (
    <>
      <textarea
        id={id}
        aria-label={ariaLabel}
        className="mono"
        rows={6}
        spellCheck={false}
        value={text}
        aria-invalid={error ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(text.trim() === '' ? undefined : JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}
