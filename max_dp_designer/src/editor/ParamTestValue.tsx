import type { FlowParameter } from '../lib/flow-document';
import { formatDefault } from '../lib/parameters';
import { useEditor, useEditorActions } from './EditorProvider';

/**
 * The value parameter `param` gets in ▶ Run and Run to here: editor state, not saved in the
 * document. Empty uses the default; the server's refusal of the value shows below it.
 */
export function ParamTestValue({ param }: { param: FlowParameter }) {
  const value = useEditor((s) => s.paramValues[param.name] ?? '');
  const error = useEditor((s) => s.paramErrors[param.name] ?? null);
  const { setParamValue } = useEditorActions();
  const id = `param-test-${param.name}`;
  const set = (next: string) => setParamValue(param.name, next);
  const invalid = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  } as const;

  return (
    <div className="field param-test-value">
      <label htmlFor={id}>Test value</label>
      <div className="param-test-input">
        {param.type === 'boolean' ? (
          <input
            id={id}
            type="checkbox"
            checked={value === '' ? param.default === true : value === 'true'}
            onChange={(e) => set(String(e.target.checked))}
            {...invalid}
          />
        ) : (
          <input
            id={id}
            type={param.type === 'date' ? 'date' : 'text'}
            className={param.type === 'string' || param.type === 'date' ? undefined : 'mono'}
            value={value}
            placeholder={formatDefault(param.default) || (param.required ? 'required' : 'none')}
            onChange={(e) => set(e.target.value)}
            {...invalid}
          />
        )}
        {value !== '' && (
          <button type="button" onClick={() => set('')} aria-label={`Clear the test value of ${param.name}`} title="Use the default">
            ✕
          </button>
        )}
      </div>
      {param.type === 'boolean' && value === '' && <span className="help">the default</span>}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {param.name}: {error}
        </p>
      )}
    </div>
  );
}
