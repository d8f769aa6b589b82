import { useEffect, useRef, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { addBlocker, getLocation, navigate, subscribe, type Location } from './history';

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, getLocation);
}

export function useSearchParams(): URLSearchParams {
  const { search } = useLocation();
  return new URLSearchParams(search);
}

/** While `when`, leaving (in-app navigation, back, reload, closing) asks first. */
export function useLeaveGuard(when: boolean, message = 'You have unsaved changes. Leave and discard them?') {
  const ref = useRef({ when, message });
  ref.current = { when, message };
  useEffect(() => addBlocker(() => (ref.current.when ? ref.current.message : null)), []);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An <a> that navigates in-app on a plain click (new-tab clicks keep their usual meaning). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}
