import { useFlowStore } from '../../store';
import { withoutNodePrefix } from './format';

const SHOWN = 2;

/** Validation problems of the node, on the node itself. */
export function NodeProblems({ id }: { id: string }) {
  const problems = useFlowStore((s) => s.problemsByNode[id]);
  if (!problems?.length) return null;
  const more = problems.length - SHOWN;
  return (
    <ul className="node-problems" role="list" aria-label="problems">
      {problems.slice(0, SHOWN).map((p, i) => (
        <li key={i} title={p.message}>
          {withoutNodePrefix(p.message, id)}
        </li>
      ))}
      {more > 0 && <li className="more">and {more} more</li>}
    </ul>
  );
}
