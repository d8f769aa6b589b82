import { useEffect } from 'react';
import type { FlowActions } from '../../store';

type Shortcut = Pick<FlowActions, 'deleteSelected' | 'undo' | 'redo' | 'copySelected' | 'paste' | 'selectAll'>;

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The action for a key press, or null. Mod is Ctrl, or Cmd on macOS. */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): keyof Shortcut | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (e.altKey) return null;
  if (!mod && (key === 'delete' || key === 'backspace')) return 'deleteSelected';
  if (!mod) return null;
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !e.shiftKey) return 'redo';
  if (key === 'c' && !e.shiftKey) return 'copySelected';
  if (key === 'v' && !e.shiftKey) return 'paste';
  if (key === 'a' && !e.shiftKey) return 'selectAll';
  return null;
}

/** Delete, Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y), Ctrl+C / Ctrl+V, Ctrl+A; ignored while typing in a field. */
export function useShortcuts(actions: Shortcut, target: Window | HTMLElement = window) {
  useEffect(() => {
    const onKey = (event: Event) => {
      const e = event as KeyboardEvent;
      if (isEditable(e.target)) return;
      if (e.ctrlKey || e.metaKey) {
        // Let the browser copy text the user has selected on the page.
        if (e.key.toLowerCase() === 'c' && !window.getSelection()?.isCollapsed) return;
      }
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      actions[action]();
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }, [actions, target]);
}
