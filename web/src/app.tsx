import { type ComponentType, lazy, Suspense, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorState, Loading } from './components/states.js';
import { useSession } from './session.js';
import { ProjectShell } from './shell/project-shell.js';

/**
 * A screen in its own chunk. Once the chunk has loaded (e.g. prefetched while the session was
 * checked) the screen renders directly: React.lazy would still suspend once, and React holds back
 * content revealed after a Suspense fallback for ~300 ms. Each mounted screen keeps the way it
 * first rendered, so it is never remounted when its chunk arrives.
 */
function screen(load: () => Promise<{ default: ComponentType }>): { Screen: ComponentType; load: () => Promise<unknown> } {
  let loaded: ComponentType | undefined;
  const loadOnce = () => load().then((module) => ((loaded = module.default), module));
  const Lazy = lazy(loadOnce);
  function Screen() {
    const [Direct] = useState(() => loaded);
    return Direct ? <Direct /> : <Lazy />;
  }
  return { Screen, load: loadOnce };
}

// Each screen is its own chunk: a first visit downloads only the shell and the screen it opens.
const chunks = {
  login: screen(() => import('./pages/login.js')),
  home: screen(() => import('./pages/home.js')),
  settingsLayout: screen(() => import('./pages/settings/settings-layout.js')),
  projectSettings: screen(() => import('./pages/settings/project-settings.js')),
  personalApiKeys: screen(() => import('./pages/settings/personal-api-keys.js')),
  personsList: screen(() => import('./pages/persons/persons-list.js')),
  personPage: screen(() => import('./pages/persons/person-page.js')),
  cohortsList: screen(() => import('./pages/cohorts/cohorts-list.js')),
  cohortEditor: screen(() => import('./pages/cohorts/cohort-editor.js')),
  flagsList: screen(() => import('./pages/feature-flags/flags-list.js')),
  flagEditor: screen(() => import('./pages/feature-flags/flag-editor.js')),
  experimentsList: screen(() => import('./pages/experiments/experiments-list.js')),
  experimentPage: screen(() => import('./pages/experiments/experiment-page.js')),
  dashboardList: screen(() => import('./pages/dashboards/dashboard-list.js')),
  dashboardPage: screen(() => import('./pages/dashboards/dashboard-page.js')),
  insightList: screen(() => import('./pages/insights/insight-list.js')),
  insightPage: screen(() => import('./pages/insights/insight-page.js')),
  activity: screen(() => import('./pages/activity/activity-explore.js')),
  sql: screen(() => import('./pages/sql/sql-editor-page.js')),
  notFound: screen(() => import('./pages/not-found.js')),
};
const Login = chunks.login.Screen;
const Home = chunks.home.Screen;
const SettingsLayout = chunks.settingsLayout.Screen;
const ProjectSettings = chunks.projectSettings.Screen;
const PersonalApiKeys = chunks.personalApiKeys.Screen;
const PersonsList = chunks.personsList.Screen;
const PersonPage = chunks.personPage.Screen;
const CohortsList = chunks.cohortsList.Screen;
const CohortEditor = chunks.cohortEditor.Screen;
const FlagsList = chunks.flagsList.Screen;
const FlagEditor = chunks.flagEditor.Screen;
const ExperimentsList = chunks.experimentsList.Screen;
const ExperimentPage = chunks.experimentPage.Screen;
const DashboardList = chunks.dashboardList.Screen;
const DashboardPage = chunks.dashboardPage.Screen;
const InsightList = chunks.insightList.Screen;
const InsightPage = chunks.insightPage.Screen;
const ActivityExplore = chunks.activity.Screen;
const SqlEditor = chunks.sql.Screen;
const NotFound = chunks.notFound.Screen;

/** The chunks a path (without its `/project/:id` prefix) renders, most specific first. */
const CHUNKS_BY_PATH: Array<[RegExp, Array<() => Promise<unknown>>]> = [
  [/^\/login/, [chunks.login.load]],
  [/^\/home/, [chunks.home.load]],
  [/^\/dashboard\/\d+/, [chunks.dashboardPage.load]],
  [/^\/dashboard/, [chunks.dashboardList.load]],
  [/^\/insights\/[^/]+/, [chunks.insightPage.load]],
  [/^\/insights/, [chunks.insightList.load]],
  [/^\/(activity|events)/, [chunks.activity.load]],
  [/^\/sql/, [chunks.sql.load]],
  [/^\/persons\/[^/]+/, [chunks.personPage.load]],
  [/^\/persons/, [chunks.personsList.load]],
  [/^\/cohorts\/[^/]+/, [chunks.cohortEditor.load]],
  [/^\/cohorts/, [chunks.cohortsList.load]],
  [/^\/feature_flags\/[^/]+/, [chunks.flagEditor.load]],
  [/^\/feature_flags/, [chunks.flagsList.load]],
  [/^\/experiments\/[^/]+/, [chunks.experimentPage.load]],
  [/^\/experiments/, [chunks.experimentsList.load]],
  [/^\/settings\/user-api-keys/, [chunks.settingsLayout.load, chunks.personalApiKeys.load]],
  [/^\/settings/, [chunks.settingsLayout.load, chunks.projectSettings.load]],
];

/**
 * Starts downloading the screen a URL opens while the session is still being checked, so the
 * screen can render as soon as the session is known. The screen's own load is the same import, so
 * nothing loads twice; a failed download is reported by that load (error boundary), not here.
 */
export function prefetchScreen(pathname: string): void {
  const path = pathname.replace(/^\/project\/\d+/, '');
  for (const load of CHUNKS_BY_PATH.find(([pattern]) => pattern.test(path))?.[1] ?? []) {
    load().catch((err: unknown) => console.warn('Prefetching the screen failed; it loads again when shown.', err));
  }
}

/**
 * Routes follow PostHog's: every screen lives under /project/:projectId/…; a bare path
 * (/home, /settings/project) opens the same screen in the user's current project.
 */
export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route
          path="/project/:projectId"
          element={
            <RequireAuth>
              <ProjectShell />
            </RequireAuth>
          }
        >
          <Route index element={<Navigate to="home" replace />} />
          <Route path="home" element={<Home />} />
          <Route path="dashboard" element={<DashboardList />} />
          <Route path="dashboard/:dashboardId" element={<DashboardPage />} />
          <Route path="insights" element={<InsightList />} />
          <Route path="insights/new" element={<InsightPage />} />
          <Route path="insights/:shortId" element={<InsightPage />} />
          <Route path="insights/:shortId/edit" element={<InsightPage />} />
          <Route path="settings" element={<SettingsLayout />}>
            <Route index element={<Navigate to="project" replace />} />
            <Route path="project" element={<ProjectSettings />} />
            <Route path="user-api-keys" element={<PersonalApiKeys />} />
          </Route>
          <Route path="persons" element={<PersonsList />} />
          <Route path="persons/:uuid" element={<PersonPage />} />
          <Route path="cohorts" element={<CohortsList />} />
          <Route path="cohorts/:cohortId" element={<CohortEditor />} />
          <Route path="feature_flags" element={<FlagsList />} />
          <Route path="feature_flags/:flagId" element={<FlagEditor />} />
          <Route path="experiments" element={<ExperimentsList />} />
          <Route path="experiments/:experimentId" element={<ExperimentPage />} />
          <Route path="activity" element={<ActivityExplore />} />
          <Route path="activity/explore" element={<ActivityExplore />} />
          <Route path="events" element={<ActivityExplore />} />
          <Route path="sql" element={<SqlEditor />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route
          path="*"
          element={
            <RequireAuth>
              <CurrentProjectRedirect />
            </RequireAuth>
          }
        />
      </Routes>
    </Suspense>
  );
}

/** Shows its children to a logged-in user; otherwise the login, which comes back here afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { state, reload } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Loading label="Loading Hedgerow…" />;
  if (state.status === 'error') return <ErrorState error={state.error} retry={() => void reload()} />;
  if (state.status === 'anonymous') {
    const next = location.pathname + location.search + location.hash;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

function CurrentProjectRedirect() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status !== 'ready') return null;
  const team = state.me.team;
  if (!team) return <ErrorState error={new Error('Your organization has no project yet. Create one with POST /api/projects/.')} />;
  const rest = location.pathname === '/' ? '/home' : location.pathname;
  return <Navigate to={`/project/${team.id}${rest}${location.search}${location.hash}`} replace />;
}
