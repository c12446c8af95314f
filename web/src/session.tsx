import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, apiRequest, UNAUTHENTICATED_EVENT } from './api.js';
import type { Me } from './types.js';

type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'error'; error: Error } | { status: 'ready'; me: Me };

interface SessionValue {
  state: SessionState;
  /** Fetches @me again (after login, or after projects change). */
  reload: () => Promise<void>;
  logout: () => Promise<void>;
  /** Remembers the project as the user's current one (PostHog's `current_team`), where bare paths go. */
  setCurrentProject: (projectId: number) => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const reload = useCallback(async () => {
    try {
      const me = await apiRequest<Me>('GET', '/api/users/@me', undefined, { quiet401: true });
      setState({ status: 'ready', me });
    } catch (err) {
      setState(err instanceof ApiError && err.status === 401 ? { status: 'anonymous' } : { status: 'error', error: err as Error });
    }
  }, []);

  useEffect(() => {
    void reload();
    const onUnauthenticated = () => setState({ status: 'anonymous' });
    window.addEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
  }, [reload]);

  const logout = useCallback(async () => {
    await api.post('/api/logout');
    setState({ status: 'anonymous' });
  }, []);

  const setCurrentProject = useCallback(async (projectId: number) => {
    const me = await api.patch<Me>('/api/users/@me', { set_current_team: projectId });
    setState({ status: 'ready', me });
  }, []);

  const value = useMemo(() => ({ state, reload, logout, setCurrentProject }), [state, reload, logout, setCurrentProject]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The logged-in user; only for components rendered inside RequireAuth. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'ready') throw new Error('useMe before the session is ready');
  return state.me;
}
