export { createFlowStore, inputColumns, isDirty, selectedNodeIds } from './flow-store';
export type { FlowActions, FlowState, FlowStore, FlowStoreOptions } from './flow-store';
export { FlowStoreProvider, useFlowActions, useFlowStore, useFlowStoreApi } from './FlowStoreProvider';
export type { NodeRunState, NodeRunStatus, RunEvent, RunState, RunStatus } from './run-state';
