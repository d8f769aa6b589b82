import { useId } from 'react';
import type { JsonSchema } from '../../lib/catalog';
import { objectFields, type FieldKind, type FieldSpec } from '../../lib/json-schema';
import { useFormEnv } from './context';
import { ExpressionInput } from './widgets/ExpressionInput';
import { JsonInput } from './widgets/JsonInput';
import { EnumList, ObjectInput, ObjectList, StringList, TupleInput } from './widgets/lists';
import { MapEditor } from './widgets/MapEditor';
import { ColumnSelect, ColumnsInput, NodesInput } from './widgets/pickers';
import { BooleanInput, EnumSelect, NumberInput, TextInput, UnionInput } from './widgets/scalars';
import type { WidgetProps } from './widgets/types';
import { joinPath, setKey, type Obj } from './values';

// Kinds whose widget holds several inputs: labelled by a fieldset legend instead of a <label>.
const GROUPS = new Set<FieldKind>(['columns', 'nodes', 'string-list', 'enum-list', 'object-list', 'tuple', 'object', 'map']);

/** The input(s) for one field, without label (a function, not a map, so the circular imports stay lazy). */
export function Widget(props: WidgetProps) {
  switch (props.field.kind) {
    case 'expression':
      return <ExpressionInput {...props} />;
    case 'column':
      return <ColumnSelect {...props} />;
    case 'columns':
      return <ColumnsInput {...props} />;
    case 'nodes':
      return <NodesInput {...props} />;
    case 'enum':
      return <EnumSelect {...props} />;
    case 'string':
      return <TextInput {...props} />;
    case 'integer':
    case 'number':
      return <NumberInput {...props} />;
    case 'boolean':
      return <BooleanInput {...props} />;
    case 'union':
      return <UnionInput {...props} />;
    case 'string-list':
      return <StringList {...props} />;
    case 'enum-list':
      return <EnumList {...props} />;
    case 'object-list':
      return <ObjectList {...props} />;
    case 'tuple':
      return <TupleInput {...props} />;
    case 'object':
      return <ObjectInput {...props} />;
    case 'map':
      return <MapEditor {...props} />;
    case 'json':
      return <JsonInput {...props} />;
  }
}

interface FieldProps {
  field: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
  path: string;
}

/** A labelled field with its help text and the problem reported for it. */
export function Field({ field, value, onChange, path }: FieldProps) {
  const id = useId();
  const { errors, onValidate } = useFormEnv();
  // An expression checked live shows the checker's message itself: do not repeat it.
  const error = field.kind === 'expression' && onValidate ? undefined : errors[path];
  const label = field.label; // required fields get their star from CSS (.required)
  const help = (
    <>
      {field.description && (
        <small id={`${id}-help`} className="help">
          {field.description}
        </small>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
  const className = `field field-${field.kind}${field.required ? ' required' : ''}`;
  const widget = <Widget id={id} field={field} value={value} onChange={onChange} path={path} />;
  if (GROUPS.has(field.kind)) {
    return (
      <fieldset className={className} data-field={path}>
        <legend>{label}</legend>
        {help}
        {widget}
      </fieldset>
    );
  }
  return (
    <div className={className} data-field={path}>
      <label htmlFor={id}>{label}</label>
      {widget}
      {help}
    </div>
  );
}

interface ObjectFieldsProps {
  schema: JsonSchema;
  value: Obj;
  onChange: (value: Obj) => void;
  path: string;
}

export function ObjectFields({ schema, value, onChange, path }: ObjectFieldsProps) {
  const { root } = useFormEnv();
  return (
    <>
      {objectFields(schema, root).map((field) => (
        <Field
          key={field.name}
          field={field}
          value={value[field.name]}
          path={joinPath(path, field.name)}
          onChange={(v) => onChange(setKey(value, field.name, v))}
        />
      ))}
    </>
  );
}
