import { useFormEnv } from '../context';
import { asArray, listOrUndefined } from '../values';
import { ListEditor } from './ListEditor';
import type { WidgetProps } from './types';

/** One column: a select over the upstream columns, or a text box until they are known. */
export function ColumnSelect({ id, value, onChange, ariaLabel }: WidgetProps) {
  const { columns } = useFormEnv();
  const current = typeof value === 'string' ? value : '';
  if (!columns) {
    return (
      <input
        id={id}
        aria-label={ariaLabel}
        type="text"
        value={current}
        placeholder="column (preview the input to pick)"
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  }
  const missing = current !== '' && !columns.includes(current);
  return (
    <select id={id} aria-label={ariaLabel} value={current} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
      <option value="">— column —</option>
      {columns.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
      {missing && <option value={current}>{current} (not in the input)</option>}
    </select>
  );
}

/** Several columns, in order. */
export function ColumnsInput(props: WidgetProps) {
  const { columns } = useFormEnv();
  const items = asArray(props.value).map(String);
  const label = props.field.label;
  return (
    <ListEditor
      label={label}
      items={items}
      onChange={(next) => props.onChange(listOrUndefined(next))}
      newItem={() => columns?.find((c) => !items.includes(c)) ?? ''}
      addLabel="Add column"
      renderItem={(item, i, update) => (
        <ColumnSelect
          {...props}
          id={`${props.id}-${i}`}
          ariaLabel={`${label} ${i + 1}`}
          value={item}
          onChange={(v) => update(typeof v === 'string' ? v : '')}
        />
      )}
    />
  );
}

/** Node ids of this flow (try_catch scope), as checkboxes. */
export function NodesInput({ id, value, onChange }: WidgetProps) {
  const { nodes } = useFormEnv();
  const picked = new Set(asArray(value).map(String));
  if (nodes.length === 0) return <p className="muted">No other nodes yet.</p>;
  const toggle = (nodeId: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(nodeId);
    else next.delete(nodeId);
    // Keep canvas order; keep ids that are not on the canvas (yet) at the end.
    const known = nodes.map((n) => n.id).filter((n) => next.has(n));
    const unknown = [...next].filter((n) => !nodes.some((c) => c.id === n));
    onChange(listOrUndefined([...known, ...unknown]));
  };
  return (
    <div className="checks" id={id}>
      {nodes.map((n) => (
        <label key={n.id}>
          <input type="checkbox" checked={picked.has(n.id)} onChange={(e) => toggle(n.id, e.target.checked)} />
          {n.label === n.id ? n.id : `${n.label} (${n.id})`}
        </label>
      ))}
    </div>
  );
}
