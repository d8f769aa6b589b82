export { Inspector } from './Inspector';
export type { InspectorProps } from './Inspector';
