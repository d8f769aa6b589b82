import type { NodeTypes } from '@xyflow/react';
import type { DesignerNodeKind } from '../../lib/flow-document';
import { CatchNodeView } from './CatchNode';
import { StepNodeView } from './StepNode';

// At module scope: React Flow re-mounts every node when this object changes identity.
export const nodeTypes = {
  step: StepNodeView,
  catch: CatchNodeView,
} satisfies Record<DesignerNodeKind, NodeTypes[string]>;
