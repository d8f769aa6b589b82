import { useEffect, useState, useSyncExternalStore } from 'react';
import { session } from '../api/client';
import { me, type User } from '../api/services';

export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.signedIn,
  );
}

let cached: Promise<User> | null = null;

/** The signed-in user (GET /users/me), fetched once per sign-in. */
export function useCurrentUser(): User | null {
  const signedIn = useSignedIn();
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    if (!signedIn) {
      cached = null;
      setUser(null);
      return;
    }
    cached ??= me();
    let alive = true;
    cached.then((u) => alive && setUser(u)).catch(() => (cached = null));
    return () => {
      alive = false;
    };
  }, [signedIn]);
  return user;
}
