import { NavLink, Outlet } from 'react-router';
import { useProject } from '../../project.js';

/** PostHog's settings scene: sections grouped by level on the left, the chosen section on the right. */
export default function SettingsLayout() {
  const { base } = useProject();
  return (
    <>
      <h1>Settings</h1>
      <div className="settings">
        <nav aria-label="Settings sections" className="settings-nav">
          <h2 className="settings-nav-level">Project</h2>
          <ul>
            <li>
              <NavLink to={`${base}/settings/project`}>General</NavLink>
            </li>
          </ul>
          <h2 className="settings-nav-level">User</h2>
          <ul>
            <li>
              <NavLink to={`${base}/settings/user-api-keys`}>Personal API keys</NavLink>
            </li>
          </ul>
        </nav>
        <div className="settings-body">
          <Outlet />
        </div>
      </div>
    </>
  );
}
