import type { FieldSpec } from '../../../lib/json-schema';

export interface WidgetProps {
  id: string;
  field: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Path of the field in the config ("aggregations.0.column"). */
  path: string;
  /** For inputs without a visible label (list rows). */
  ariaLabel?: string;
}
