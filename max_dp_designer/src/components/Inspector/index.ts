export { Inspector } from './Inspector';
export type { InspectorProps, NodeExpressionValidator } from './Inspector';
export type { ParameterSlot } from './ParametersEditor';
