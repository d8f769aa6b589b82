import { afterEach, describe, expect, it, vi } from 'vitest';
import { addBlocker, getLocation, matchPath, navigate, withQuery } from './history';

afterEach(() => {
  vi.restoreAllMocks();
  navigate('/', { force: true });
});

describe('matchPath', () => {
  it('matches literal segments and captures :params', () => {
    expect(matchPath('/flows/:flowId', '/flows/abc')).toEqual({ flowId: 'abc' });
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/runs/:runId', '/runs')).toBeNull();
    expect(matchPath('/runs', '/runs/x')).toBeNull();
    expect(matchPath('/workspaces/:id', '/workspaces/a%20b/')).toEqual({ id: 'a b' });
  });
});

describe('withQuery', () => {
  it('keeps only the parameters that are set', () => {
    expect(withQuery('/runs', { status: 'failed', flow_id: null, q: '' })).toBe('/runs?status=failed');
    expect(withQuery('/runs', {})).toBe('/runs');
  });
});

describe('navigate', () => {
  it('pushes the new location and tells subscribers', () => {
    expect(navigate('/runs?status=failed')).toBe(true);
    expect(getLocation()).toEqual({ pathname: '/runs', search: '?status=failed' });
    expect(window.location.pathname).toBe('/runs');
  });

  it('asks a blocker first, and stays when the user says no', () => {
    const remove = addBlocker(() => 'You have unsaved changes.');
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    expect(navigate('/runs')).toBe(false);
    expect(confirm).toHaveBeenCalledWith('You have unsaved changes.');
    expect(getLocation().pathname).toBe('/');
    confirm.mockReturnValue(true);
    expect(navigate('/runs')).toBe(true);
    remove();
  });

  it('ignores blockers that do not object', () => {
    const remove = addBlocker(() => null);
    const confirm = vi.spyOn(window, 'confirm');
    expect(navigate('/flows/x')).toBe(true);
    expect(confirm).not.toHaveBeenCalled();
    remove();
  });
});
