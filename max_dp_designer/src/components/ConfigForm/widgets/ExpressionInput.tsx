import { useEffect, useRef, useState } from 'react';
import { useFormEnv } from '../context';
import type { WidgetProps } from './types';

export const VALIDATE_DELAY_MS = 300;

/** An expression in MAX DP's expression language, checked through `onValidate` as the user types. */
export function ExpressionInput({ id, value, onChange, path, ariaLabel }: WidgetProps) {
  const { onValidate } = useFormEnv();
  const text = typeof value === 'string' ? value : '';
  const [message, setMessage] = useState<string | null>(null);
  const latest = useRef(0);

  async function check(expression: string) {
    if (!onValidate) return;
    const ticket = ++latest.current;
    let result: string | null;
    try {
      result = expression.trim() === '' ? null : await onValidate(expression, path);
    } catch (err) {
      result = `could not check the expression: ${(err as Error).message}`;
    }
    if (ticket === latest.current) setMessage(result); // drop answers to older text
  }

  useEffect(() => {
    const timer = setTimeout(() => void check(text), VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, onValidate]);

  const messageId = `${id}-check`;
  return (
    <>
      <textarea
        id={id}
        aria-label={ariaLabel}
        className="mono expression"
        rows={2}
        spellCheck={false}
        value={text}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? messageId : undefined}
        placeholder="e.g. amount > 100 and region == @region"
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        onBlur={() => void check(text)}
      />
      {message && (
        <p id={messageId} className="field-error" role="alert">
          {message}
        </p>
      )}
    </>
  );
}
