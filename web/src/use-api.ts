import { useCallback, useEffect, useState } from 'react';
import { api } from './api.js';

export type Loadable<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'error'; data?: undefined; error: Error }
  | { status: 'ready'; data: T; error?: undefined };

type Held<T> = Loadable<T> & { key: string | null };

/**
 * Loads `key` (a GET path, or any string naming what `load` fetches) whenever it changes.
 * A new key shows the loading state; `reload` fetches again keeping what is shown, so a refresh
 * does not flash. `setData` puts a saved answer in place.
 */
export function useApi<T>(key: string | null, load?: (signal: AbortSignal) => Promise<T>) {
  const [state, setState] = useState<Held<T>>({ status: 'loading', key: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    (load ? load(controller.signal) : api.get<T>(key, controller.signal)).then(
      (data) => setState({ status: 'ready', data, key }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState({ status: 'error', error, key });
      },
    );
    return () => controller.abort();
    // `load` depends only on `key` by contract, so it is not a dependency.
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((data: T) => setState({ status: 'ready', data, key }), [key]);
  const current: Loadable<T> = state.key === key ? state : { status: 'loading' };
  return { ...current, reload, setData } as Loadable<T> & { reload: () => void; setData: (data: T) => void };
}
