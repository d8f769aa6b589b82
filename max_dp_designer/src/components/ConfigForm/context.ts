import { createContext, useContext } from 'react';
import type { JsonSchema } from '../../lib/catalog';

/** Checks an expression; resolves to an error message, or null when it is valid. */
export type ExpressionValidator = (expression: string, field: string) => Promise<string | null> | string | null;

export interface NodeChoice {
  id: string;
  label: string;
}

export interface FormEnv {
  root: JsonSchema;
  /** Columns of the upstream table (from a preview); undefined while unknown. */
  columns?: string[];
  /** Nodes a "nodes" widget may pick (try_catch scope). */
  nodes: NodeChoice[];
  onValidate?: ExpressionValidator;
  /** Messages by field path ("aggregations.0.function"), from validation problems. */
  errors: Record<string, string>;
}

export const FormEnvContext = createContext<FormEnv | null>(null);

export function useFormEnv(): FormEnv {
  const env = useContext(FormEnvContext);
  if (!env) throw new Error('form fields must be rendered inside <ConfigForm>');
  return env;
}
