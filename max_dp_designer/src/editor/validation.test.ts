// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { exampleDocument } from '../test/fixtures';
import { createValidationCache, serverExpressionValidator } from './validation';

const syntax = (nodeId: string) => ({
  code: 'invalid_expression',
  message: `node '${nodeId}': condition: invalid syntax (at position 7)`,
  node_id: nodeId,
  edge: null,
  field: 'condition',
});

describe('createValidationCache', () => {
  it('sends one request per document, also for concurrent callers; positions do not count', async () => {
    const validate = vi.fn(async () => ({ problems: [] }));
    const check = createValidationCache(validate);
    const doc = exampleDocument();
    const moved = { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: { x: 9, y: 9 } })) };
    await Promise.all([check(doc), check(doc), check(moved)]);
    expect(validate).toHaveBeenCalledTimes(1);
    await check({ ...doc, name: 'other' });
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('forgets failed requests so they are tried again', async () => {
    const validate = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue({ problems: [] });
    const check = createValidationCache(validate);
    await expect(check(exampleDocument())).rejects.toThrow('offline');
    await expect(check(exampleDocument())).resolves.toEqual([]);
  });
});

describe('serverExpressionValidator', () => {
  it('checks the expression inside the whole document and answers for its field only', async () => {
    const validate = vi.fn(async (doc: ReturnType<typeof exampleDocument>) => {
      const condition = doc.nodes.find((n) => n.id === 'kr')!.config!.condition as string;
      return { problems: condition.endsWith('>') ? [syntax('kr')] : [] };
    });
    const check = serverExpressionValidator(exampleDocument, createValidationCache(validate));
    await expect(check('amount >', 'condition', 'kr')).resolves.toBe('invalid syntax (at position 7)');
    await expect(check('amount > 1', 'condition', 'kr')).resolves.toBeNull();
    const sent = validate.mock.calls[0]![0];
    expect(sent.parameters).toEqual(exampleDocument().parameters); // @region stays known
  });
});
