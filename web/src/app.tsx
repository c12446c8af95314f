import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorState, Loading } from './components/states.js';
import { useSession } from './session.js';
import { ProjectShell } from './shell/project-shell.js';

// Each screen is its own chunk: a first visit downloads only the shell and the screen it opens.
const Login = lazy(() => import('./pages/login.js'));
const Home = lazy(() => import('./pages/home.js'));
const SettingsLayout = lazy(() => import('./pages/settings/settings-layout.js'));
const ProjectSettings = lazy(() => import('./pages/settings/project-settings.js'));
const PersonalApiKeys = lazy(() => import('./pages/settings/personal-api-keys.js'));
const PersonsList = lazy(() => import('./pages/persons/persons-list.js'));
const PersonPage = lazy(() => import('./pages/persons/person-page.js'));
const CohortsList = lazy(() => import('./pages/cohorts/cohorts-list.js'));
const CohortEditor = lazy(() => import('./pages/cohorts/cohort-editor.js'));
const FlagsList = lazy(() => import('./pages/feature-flags/flags-list.js'));
const FlagEditor = lazy(() => import('./pages/feature-flags/flag-editor.js'));
const ExperimentsList = lazy(() => import('./pages/experiments/experiments-list.js'));
const ExperimentPage = lazy(() => import('./pages/experiments/experiment-page.js'));
const DashboardList = lazy(() => import('./pages/dashboards/dashboard-list.js'));
const DashboardPage = lazy(() => import('./pages/dashboards/dashboard-page.js'));
const InsightList = lazy(() => import('./pages/insights/insight-list.js'));
const InsightPage = lazy(() => import('./pages/insights/insight-page.js'));
const ActivityExplore = lazy(() => import('./pages/activity/activity-explore.js'));
const SqlEditor = lazy(() => import('./pages/sql/sql-editor-page.js'));
const NotFound = lazy(() => import('./pages/not-found.js'));

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
