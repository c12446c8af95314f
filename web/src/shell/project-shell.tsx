import { Suspense, useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { api, errorMessage } from '../api.js';
import { Dialog, FormDialogActions } from '../components/dialog.js';
import { ErrorBoundary } from '../components/error-boundary.js';
import { Menu } from '../components/menu.js';
import { ErrorState, Loading } from '../components/states.js';
import { navEntries } from '../nav.js';
import { ProjectContext } from '../project.js';
import { useMe, useSession } from '../session.js';
import type { TeamBasic } from '../types.js';

/** Left sidebar (project switcher, navigation, user menu) and the screen of the URL's project. */
export function ProjectShell() {
  const me = useMe();
  const { projectId } = useParams();
  const project = me.organization.teams.find((t) => String(t.id) === projectId);
  const base = `/project/${projectId}`;
  const location = useLocation();

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <div className="brand">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="currentColor" />
            <path d="M4 12V4m8 8V4M4 8h8" stroke="var(--bg)" strokeWidth="2" />
          </svg>
          Hedgerow
        </div>
        <ProjectSwitcher current={project} teams={me.organization.teams} />
        <nav aria-label="Main">
          <ul className="nav">
            {navEntries.map((entry) => (
              <li key={entry.to}>
                <NavLink to={`${base}/${entry.to}`} className="nav-link">
                  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d={entry.icon} fill="currentColor" />
                  </svg>
                  {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <UserMenu base={base} />
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {project ? (
          <ProjectContext.Provider value={{ project, base }}>
            <ErrorBoundary resetKey={location.pathname}>
              <Suspense fallback={<Loading />}>
                <Outlet />
              </Suspense>
            </ErrorBoundary>
          </ProjectContext.Provider>
        ) : (
          <>
            <ErrorState title="Project not found" error={new Error(`There is no project ${projectId} in ${me.organization.name}, or you have no access to it.`)} />
            {me.team && (
              <p>
                <Link to={`/project/${me.team.id}/home`}>Go to {me.team.name}</Link>
              </p>
            )}
          </>
        )}
      </main>
    </div>
  );
}

function ProjectSwitcher({ current, teams }: { current: TeamBasic | undefined; teams: TeamBasic[] }) {
  const { setCurrentProject } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open(team: TeamBasic) {
    // The same screen in the other project: /project/1/settings/project → /project/2/settings/project.
    const rest = location.pathname.replace(/^\/project\/[^/]+/, '') || '/home';
    setError(null);
    try {
      // Remembered first, so a bare path opened right after the switch already goes to the new project.
      await setCurrentProject(team.id);
    } catch (err) {
      setError(errorMessage(err)); // the URL still switches: it, not the remembered project, decides the screen
    }
    navigate(`/project/${team.id}${rest}`);
  }

  return (
    <div className="project-switcher">
      <Menu
        label={`Switch project (current: ${current?.name ?? 'none'})`}
        button={
          <>
            <span className="visually-hidden">Switch project, current: </span>
            <span className="menu-button-caption">Project</span>
            <span className="menu-button-value">{current?.name ?? 'No project'}</span>
          </>
        }
        items={[
          ...teams.map((team) => ({ key: String(team.id), label: team.name, checked: team.id === current?.id, onSelect: () => void open(team) })),
          { key: 'new', label: '+ New project', onSelect: () => setCreating(true) },
        ]}
      />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {creating && <NewProjectDialog onClose={() => setCreating(false)} onCreated={(team) => void open(team)} />}
    </div>
  );
}

function NewProjectDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (team: TeamBasic) => void }) {
  const { reload } = useSession();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const team = await api.post<TeamBasic>('/api/projects/', { name });
      await reload();
      onClose();
      onCreated(team);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="New project" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="new-project-name">Project name</label>
          <input id="new-project-name" className="input" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          <p className="hint">Each project has its own events, persons and API key.</p>
        </div>
        <FormDialogActions error={error} busy={busy} submitLabel="Create project" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function UserMenu({ base }: { base: string }) {
  const me = useMe();
  const { logout } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);

  async function doLogout() {
    try {
      await logout();
      navigate('/login');
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <div className="user-menu">
      <Menu
        label={`Account: ${me.email}`}
        button={
          <>
            <span className="visually-hidden">Account: </span>
            <span className="avatar" aria-hidden="true">
              {(me.first_name || me.email).slice(0, 1).toUpperCase()}
            </span>
            <span className="menu-button-value">{me.email}</span>
          </>
        }
        items={[
          { key: 'keys', label: 'Personal API keys', onSelect: () => navigate(`${base}/settings/user-api-keys`) },
          { key: 'logout', label: 'Log out', onSelect: () => void doLogout() },
        ]}
      />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
