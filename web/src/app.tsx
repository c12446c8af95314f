import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorState, Loading } from './components/states.js';
import { useSession } from './session.js';
import { ProjectShell } from './shell/project-shell.js';

// Each screen is its own chunk: a first visit downloads only the shell and the screen it opens.
const chunks = {
  login: () => import('./pages/login.js'),
  home: () => import('./pages/home.js'),
  settingsLayout: () => import('./pages/settings/settings-layout.js'),
  projectSettings: () => import('./pages/settings/project-settings.js'),
  personalApiKeys: () => import('./pages/settings/personal-api-keys.js'),
  personsList: () => import('./pages/persons/persons-list.js'),
  personPage: () => import('./pages/persons/person-page.js'),
  cohortsList: () => import('./pages/cohorts/cohorts-list.js'),
  cohortEditor: () => import('./pages/cohorts/cohort-editor.js'),
  flagsList: () => import('./pages/feature-flags/flags-list.js'),
  flagEditor: () => import('./pages/feature-flags/flag-editor.js'),
  experimentsList: () => import('./pages/experiments/experiments-list.js'),
  experimentPage: () => import('./pages/experiments/experiment-page.js'),
  dashboardList: () => import('./pages/dashboards/dashboard-list.js'),
  dashboardPage: () => import('./pages/dashboards/dashboard-page.js'),
  insightList: () => import('./pages/insights/insight-list.js'),
  insightPage: () => import('./pages/insights/insight-page.js'),
  activity: () => import('./pages/activity/activity-explore.js'),
  sql: () => import('./pages/sql/sql-editor-page.js'),
  notFound: () => import('./pages/not-found.js'),
};
const Login = lazy(chunks.login);
const Home = lazy(chunks.home);
const SettingsLayout = lazy(chunks.settingsLayout);
const ProjectSettings = lazy(chunks.projectSettings);
const PersonalApiKeys = lazy(chunks.personalApiKeys);
const PersonsList = lazy(chunks.personsList);
const PersonPage = lazy(chunks.personPage);
const CohortsList = lazy(chunks.cohortsList);
const CohortEditor = lazy(chunks.cohortEditor);
const FlagsList = lazy(chunks.flagsList);
const FlagEditor = lazy(chunks.flagEditor);
const ExperimentsList = lazy(chunks.experimentsList);
const ExperimentPage = lazy(chunks.experimentPage);
const DashboardList = lazy(chunks.dashboardList);
const DashboardPage = lazy(chunks.dashboardPage);
const InsightList = lazy(chunks.insightList);
const InsightPage = lazy(chunks.insightPage);
const ActivityExplore = lazy(chunks.activity);
const SqlEditor = lazy(chunks.sql);
const NotFound = lazy(chunks.notFound);

/** The chunks a path (without its `/project/:id` prefix) renders, most specific first. */
const CHUNKS_BY_PATH: Array<[RegExp, Array<() => Promise<unknown>>]> = [
  [/^\/login/, [chunks.login]],
  [/^\/home/, [chunks.home]],
  [/^\/dashboard\/\d+/, [chunks.dashboardPage]],
  [/^\/dashboard/, [chunks.dashboardList]],
  [/^\/insights\/[^/]+/, [chunks.insightPage]],
  [/^\/insights/, [chunks.insightList]],
  [/^\/(activity|events)/, [chunks.activity]],
  [/^\/sql/, [chunks.sql]],
  [/^\/persons\/[^/]+/, [chunks.personPage]],
  [/^\/persons/, [chunks.personsList]],
  [/^\/cohorts\/[^/]+/, [chunks.cohortEditor]],
  [/^\/cohorts/, [chunks.cohortsList]],
  [/^\/feature_flags\/[^/]+/, [chunks.flagEditor]],
  [/^\/feature_flags/, [chunks.flagsList]],
  [/^\/experiments\/[^/]+/, [chunks.experimentPage]],
  [/^\/experiments/, [chunks.experimentsList]],
  [/^\/settings\/user-api-keys/, [chunks.settingsLayout, chunks.personalApiKeys]],
  [/^\/settings/, [chunks.settingsLayout, chunks.projectSettings]],
];

/**
 * Starts downloading the screen a URL opens while the session is still being checked, so the
 * first chart is one round trip sooner. Lazy components share the same import, so nothing loads
 * twice; a failed download is reported by the screen's own lazy load (error boundary), not here.
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
