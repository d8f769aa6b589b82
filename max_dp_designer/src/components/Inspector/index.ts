export { Inspector } from './Inspector';
export type { InspectorProps, NodeExpressionValidator } from './Inspector';
