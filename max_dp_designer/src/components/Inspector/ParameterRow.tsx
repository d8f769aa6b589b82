import type { ReactNode } from 'react';
import type { FlowParameter, ParameterType } from '../../lib/flow-document';
import { ITEM_TYPES, PARAMETER_TYPES, parameterNameProblem, retype } from '../../lib/parameters';
import { DefaultInput } from './DefaultInput';
import { RenameField } from './RenameField';

export interface ParameterRowProps {
  index: number;
  param: FlowParameter;
  /** Every declared parameter (names must stay unique). */
  params: readonly FlowParameter[];
  /** The server's problems with this parameter, without their prefixes. */
  problems: readonly string[];
  /** `field` names the edit, so typing in one field is one undo step. */
  onChange: (next: FlowParameter, field: string) => void;
  /** A new name, checked (valid and free). */
  onRename: (name: string) => void;
  onRemove: () => void;
  /** What the last rename did (the uses it rewrote), shown under the name. */
  note?: string | null;
  /** Shown below the fields (the editor's test value). */
  children?: ReactNode;
}

/** One declared parameter: name, type, items, required, default, description, remove. */
export function ParameterRow({ index, param, params, problems, onChange, onRename, onRemove, note, children }: ParameterRowProps) {
  const id = `param-${index}`;
  return (
    <fieldset className="row-form parameter" aria-label={`Parameter ${param.name}`}>
      <legend>{param.name}</legend>
      <NameField id={`${id}-name`} index={index} params={params} onRename={onRename} />
      {note && (
        <p className="help" role="status">
          {note}
        </p>
      )}
      <div className="parameter-types">
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select id={`${id}-type`} value={param.type} onChange={(e) => onChange(retype(param, e.target.value as ParameterType), 'type')}>
            {PARAMETER_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        {param.type === 'list' && (
          <div className="field">
            <label htmlFor={`${id}-items`}>Items</label>
            <select
              id={`${id}-items`}
              value={param.items ?? 'string'}
              onChange={(e) => onChange(retype(param, 'list', e.target.value as ParameterType), 'items')}
            >
              {ITEM_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div className="field check-field">
        <label>
          <input
            type="checkbox"
            checked={param.required ?? false}
            onChange={(e) => onChange({ ...param, required: e.target.checked }, 'required')}
          />
          Required
        </label>
      </div>
      <DefaultInput id={`${id}-default`} param={param} onChange={(value) => onChange({ ...param, default: value }, 'default')} />
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          type="text"
          value={param.description ?? ''}
          onChange={(e) => onChange({ ...param, description: e.target.value }, 'description')}
        />
      </div>
      {children}
      {problems.length > 0 && (
        <ul className="problems" aria-label={`Problems of ${param.name}`}>
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <div className="parameter-actions">
        <button type="button" onClick={onRemove} aria-label={`Remove parameter ${param.name}`}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}

/** The name, renamed on Enter or when leaving the field; a refused name keeps the old one. */
function NameField({
  id,
  index,
  params,
  onRename,
}: {
  id: string;
  index: number;
  params: readonly FlowParameter[];
  onRename: (name: string) => void;
}) {
  const take = (next: string) => {
    const problem = parameterNameProblem(params, index, next);
    if (!problem) onRename(next);
    return problem;
  };
  return <RenameField inputId={id} label="Parameter name" value={params[index]?.name ?? ''} take={take} />;
}
