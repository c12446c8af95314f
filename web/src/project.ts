import { createContext, useContext, useEffect } from 'react';
import type { TeamBasic } from './types.js';

export interface ProjectValue {
  project: TeamBasic;
  /** `/project/:id`, the prefix of every link inside the project. */
  base: string;
}

export const ProjectContext = createContext<ProjectValue | null>(null);

/** The project of the URL; only inside ProjectShell. */
export function useProject(): ProjectValue {
  const value = useContext(ProjectContext);
  if (!value) throw new Error('useProject outside ProjectShell');
  return value;
}

/** "Home · Default project · Hedgerow" in the tab, so history and bookmarks say where they lead. */
export function usePageTitle(...parts: string[]) {
  const title = [...parts, 'Hedgerow'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
