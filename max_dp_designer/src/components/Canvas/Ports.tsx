import { Handle, Position } from '@xyflow/react';
import type { Port } from '../../lib/catalog';

interface PortsProps {
  side: 'in' | 'out';
  ports: Port[];
}

// The usual single `in`/`out` port needs no caption.
const PLAIN = { in: 'in', out: 'out' } as const;

/** One handle per port, id = port name, so edges map to source_port/target_port. */
export function Ports({ side, ports }: PortsProps) {
  const showNames = ports.length > 1 || ports.some((p) => p.name !== PLAIN[side]);
  return (
    <div className={`ports ports-${side}`}>
      {ports.map((port) => (
        <div key={port.name} className={`port${port.many ? ' port-many' : ''}`} title={port.description || undefined}>
          <Handle
            type={side === 'in' ? 'target' : 'source'}
            position={side === 'in' ? Position.Left : Position.Right}
            id={port.name}
            aria-label={`${side === 'in' ? 'input' : 'output'} ${port.name}`}
          />
          {showNames && <span className="port-name">{port.name}</span>}
        </div>
      ))}
    </div>
  );
}
