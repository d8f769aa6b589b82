import { useMemo } from 'react';
import type { JsonSchema } from '../../lib/catalog';
import { objectFields } from '../../lib/json-schema';
import { FormEnvContext, type ExpressionValidator, type FormEnv, type NodeChoice } from './context';
import { ObjectFields } from './Field';

export interface ConfigFormProps {
  /** The node's config_schema from the catalog. */
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (config: Record<string, unknown>) => void;
  /** Upstream columns (from a preview) for column pickers; omit while unknown. */
  columns?: string[];
  /** Choices for "nodes" widgets. */
  nodes?: NodeChoice[];
  onValidate?: ExpressionValidator;
  /** Problem messages by field path. */
  errors?: Record<string, string>;
}

const NO_ERRORS: Record<string, string> = {};
const NO_NODES: NodeChoice[] = [];

/** A form generated from a node's JSON Schema; fields left empty are removed from the config. */
export function ConfigForm({ schema, value, onChange, columns, nodes, onValidate, errors }: ConfigFormProps) {
  const env = useMemo<FormEnv>(
    () => ({ root: schema, columns, nodes: nodes ?? NO_NODES, onValidate, errors: errors ?? NO_ERRORS }),
    [schema, columns, nodes, onValidate, errors],
  );
  if (objectFields(schema, schema).length === 0) return <p className="muted">This node has no settings.</p>;
  return (
    <FormEnvContext.Provider value={env}>
      <div className="config-form">
        <ObjectFields schema={schema} value={value} path="" onChange={onChange} />
      </div>
    </FormEnvContext.Provider>
  );
}
