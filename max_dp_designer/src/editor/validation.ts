// Server validation shared by the debounced whole-flow check and the inline expression checks:
// one request per distinct document, answers cached for a while.
import type { FlowDocument } from '../lib/flow-document';
import type { Problem } from '../lib/graph-utils';
import type { NodeExpressionValidator } from '../components/Inspector';
import { fieldProblem, withConfigValue } from './logic';

export type ValidateFn = (doc: FlowDocument) => Promise<{ problems: Problem[] }>;
export type CheckFn = (doc: FlowDocument) => Promise<Problem[]>;

/** Positions and labels do not change what the server says: leave them out of the key. */
function keyOf(doc: FlowDocument): string {
  return JSON.stringify({ ...doc, nodes: doc.nodes.map(({ position: _p, label: _l, ...n }) => n) });
}

/** `validate` behind a small cache: the same document is sent once, even by concurrent callers. */
export function createValidationCache(validate: ValidateFn, size = 32): CheckFn {
  const cache = new Map<string, Promise<Problem[]>>();
  return (doc) => {
    const key = keyOf(doc);
    let hit = cache.get(key);
    if (!hit) {
      hit = validate(doc).then((r) => r.problems);
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return hit;
  };
}

/** Checks an expression as part of the whole current document, so @parameters are known. */
export function serverExpressionValidator(getDocument: () => FlowDocument, check: CheckFn): NodeExpressionValidator {
  return async (expression, field, nodeId) => {
    const problems = await check(withConfigValue(getDocument(), nodeId, field, expression));
    return fieldProblem(problems, nodeId, field);
  };
}
