import { describeField } from '../../../lib/json-schema';
import { useFormEnv } from '../context';
import { Field, ObjectFields } from '../Field';
import { asArray, isObject, joinPath, listOrUndefined } from '../values';
import { ListEditor } from './ListEditor';
import { TextInput } from './scalars';
import type { WidgetProps } from './types';

export function StringList(props: WidgetProps) {
  const items = asArray(props.value).map(String);
  const label = props.field.label;
  return (
    <ListEditor
      label={label}
      items={items}
      onChange={(next) => props.onChange(listOrUndefined(next))}
      newItem={() => ''}
      renderItem={(item, i, update) => (
        <TextInput
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

export function EnumList({ id, field, value, onChange }: WidgetProps) {
  const { root } = useFormEnv();
  const options = describeField('item', field.schema.items ?? {}, root, true).schema.enum ?? [];
  const picked = asArray(value);
  return (
    <div className="checks" id={id}>
      {options.map((o) => (
        <label key={String(o)}>
          <input
            type="checkbox"
            checked={picked.includes(o)}
            onChange={(e) =>
              onChange(listOrUndefined(options.filter((x) => (x === o ? e.target.checked : picked.includes(x)))))
            }
          />
          {String(o)}
        </label>
      ))}
    </div>
  );
}

/** A list of objects (aggregations, sort keys …): one small form per row. */
export function ObjectList({ field, value, onChange, path }: WidgetProps) {
  const items = asArray(value).map((v) => (isObject(v) ? v : {}));
  const itemSchema = field.schema.items ?? {};
  return (
    <ListEditor
      label={field.label}
      items={items}
      onChange={(next) => onChange(listOrUndefined(next))}
      newItem={() => ({})}
      renderItem={(item, i, update) => (
        <fieldset className="row-form">
          <legend>
            {field.label} {i + 1}
          </legend>
          <ObjectFields schema={itemSchema} value={item} path={joinPath(path, i)} onChange={update} />
        </fieldset>
      )}
    />
  );
}

/** A fixed-length list (pydantic tuple[...]): one input per position. */
export function TupleInput({ field, value, onChange, path }: WidgetProps) {
  const { root } = useFormEnv();
  const slots = field.schema.prefixItems ?? [];
  const current = Array.isArray(value) ? value : Array.isArray(field.default) ? field.default : [];
  return (
    <div className="tuple">
      {slots.map((slot, i) => {
        const spec = describeField(String(i), slot, root, true);
        spec.label = `${field.label} ${i + 1}`;
        return (
          <Field
            key={i}
            field={spec}
            value={current[i]}
            path={joinPath(path, i)}
            onChange={(v) => onChange(slots.map((_, j) => (j === i ? v : current[j])))}
          />
        );
      })}
    </div>
  );
}

/** A nested object (a $ref to a model): its fields, inline. */
export function ObjectInput({ field, value, onChange, path }: WidgetProps) {
  return (
    <ObjectFields
      schema={field.schema}
      value={isObject(value) ? value : {}}
      path={path}
      onChange={(v) => onChange(Object.keys(v).length > 0 ? v : undefined)}
    />
  );
}
