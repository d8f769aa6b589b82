export { ConfigForm } from './ConfigForm';
export type { ConfigFormProps } from './ConfigForm';
export type { ExpressionValidator, NodeChoice } from './context';
