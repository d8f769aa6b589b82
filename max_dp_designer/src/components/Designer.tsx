import { ReactFlowProvider } from '@xyflow/react';
import type { ReactNode } from 'react';
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';
import { FlowStoreProvider, isDirty, useFlowStore } from '../store';
import { Canvas, Palette, useAddAtCenter } from './Canvas';
import { Inspector, type InspectorProps } from './Inspector';
import { Toolbar } from './Toolbar/Toolbar';
import { useUnsavedChangesGuard } from './useUnsavedChangesGuard';

export interface DesignerProps extends InspectorProps {
  catalog: Catalog;
  document?: FlowDocument;
  /** Rendered inside the store provider (integrations that feed the store: previews, run events). */
  children?: ReactNode;
}

/** The flow editor: palette, canvas and inspector around one flow store. */
export function Designer({ catalog, document, children, ...inspector }: DesignerProps) {
  return (
    <FlowStoreProvider catalog={catalog} document={document}>
      {children}
      <ReactFlowProvider>
        <DesignerLayout {...inspector} />
      </ReactFlowProvider>
    </FlowStoreProvider>
  );
}

function DesignerLayout(inspector: InspectorProps) {
  const addAtCenter = useAddAtCenter();
  const dirty = useFlowStore(isDirty);
  useUnsavedChangesGuard(dirty);
  return (
    <div className="designer">
      <Toolbar />
      <div className="designer-main">
        <Palette onAdd={addAtCenter} />
        <Canvas />
        <Inspector {...inspector} />
      </div>
    </div>
  );
}
