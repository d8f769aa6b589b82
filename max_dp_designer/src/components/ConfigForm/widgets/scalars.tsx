import type { WidgetProps } from './types';
import { display } from '../values';

const MULTILINE = new Set(['sql', 'code', 'template', 'body_template']);

function placeholder(props: WidgetProps): string | undefined {
  const d = props.field.default;
  return d === undefined || d === null ? undefined : `default: ${display(d)}`;
}

export function TextInput(props: WidgetProps) {
  const { id, field, value, onChange, ariaLabel } = props;
  const common = {
    id,
    'aria-label': ariaLabel,
    value: typeof value === 'string' ? value : '',
    placeholder: placeholder(props),
    onChange: (e: { target: { value: string } }) => onChange(e.target.value === '' ? undefined : e.target.value),
  };
  if (MULTILINE.has(field.name)) return <textarea {...common} rows={5} className="mono" spellCheck={false} />;
  return <input type="text" {...common} />;
}

export function NumberInput(props: WidgetProps) {
  const { id, field, value, onChange, ariaLabel } = props;
  const s = field.schema;
  return (
    <input
      id={id}
      aria-label={ariaLabel}
      type="number"
      step={field.kind === 'integer' ? 1 : 'any'}
      min={s.minimum ?? s.exclusiveMinimum}
      max={s.maximum ?? s.exclusiveMaximum}
      value={typeof value === 'number' ? value : ''}
      placeholder={placeholder(props)}
      onChange={(e) => {
        if (e.target.value === '') return onChange(undefined);
        const n = Number(e.target.value);
        if (!Number.isNaN(n)) onChange(n);
      }}
    />
  );
}

export function BooleanInput({ id, field, value, onChange, ariaLabel }: WidgetProps) {
  const checked = typeof value === 'boolean' ? value : field.default === true;
  return <input id={id} aria-label={ariaLabel} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />;
}

export function EnumSelect({ id, field, value, onChange, ariaLabel }: WidgetProps) {
  const options = field.schema.enum ?? [];
  const index = options.findIndex((o) => o === value);
  const fallback =
    field.default !== undefined && field.default !== null
      ? `default (${display(field.default)})`
      : field.nullable
        ? '— not set —'
        : '— choose —';
  return (
    <select
      id={id}
      aria-label={ariaLabel}
      value={index >= 0 ? String(index) : ''}
      onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}
    >
      <option value="">{fallback}</option>
      {options.map((o, i) => (
        <option key={String(o)} value={String(i)}>
          {display(o)}
        </option>
      ))}
    </select>
  );
}

/** string | integer | number: typed as text, kept as a number when it reads as one and numbers are allowed. */
export function UnionInput(props: WidgetProps) {
  const { id, field, value, onChange, ariaLabel } = props;
  const types = (field.schema.anyOf ?? []).map((v) => v.type);
  const numeric = types.includes('integer') || types.includes('number');
  return (
    <input
      id={id}
      aria-label={ariaLabel}
      type="text"
      value={display(value)}
      placeholder={placeholder(props)}
      onChange={(e) => {
        const text = e.target.value;
        if (text === '') return onChange(undefined);
        const asNumber = Number(text);
        const integerOk = types.includes('number') || Number.isInteger(asNumber);
        onChange(numeric && text.trim() !== '' && !Number.isNaN(asNumber) && integerOk ? asNumber : text);
      }}
    />
  );
}
