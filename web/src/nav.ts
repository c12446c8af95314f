/**
 * The sidebar: one entry per screen that exists, in PostHog's order (Home first, Settings last).
 * `to` is relative to /project/:projectId/; `icon` is an SVG path on a 24×24 grid.
 * A new screen adds its entry here and its route in app.tsx.
 */
export interface NavEntry {
  to: string;
  label: string;
  icon: string;
}

export const navEntries: NavEntry[] = [
  { to: 'home', label: 'Home', icon: 'M3 11 12 3l9 8v10h-6v-6H9v6H3z' },
  { to: 'dashboard', label: 'Dashboards', icon: 'M3 3h8v10H3zm10 0h8v6h-8zM3 15h8v6H3zm10-4h8v10h-8z' },
  { to: 'activity/explore', label: 'Activity', icon: 'M3 12h4l3-8 4 16 3-8h4v2h-2.6L14 23 10 7.4 8.4 14H3z' },
  { to: 'persons', label: 'People', icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-8 2-8 5v2h16v-2c0-3-4-5-8-5z' },
  { to: 'cohorts', label: 'Cohorts', icon: 'M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8 13c-3 0-6 1.5-6 4v2h12v-2c0-2.5-3-4-6-4zm8 0c-.5 0-1 0-1.5.1 1.5.9 2.5 2.2 2.5 3.9v2h5v-2c0-2.5-3-4-6-4z' },
  { to: 'insights', label: 'Product analytics', icon: 'M3 21V3h2v16h16v2zm4-4v-6h3v6zm5 0V7h3v10zm5 0v-4h3v4z' },
  { to: 'sql', label: 'SQL', icon: 'M12 2C7 2 4 3.8 4 6v12c0 2.2 3 4 8 4s8-1.8 8-4V6c0-2.2-3-4-8-4zm0 2c3.9 0 6 1.3 6 2s-2.1 2-6 2-6-1.3-6-2 2.1-2 6-2zM6 9.2C7.4 9.7 9.6 10 12 10s4.6-.3 6-.8V12c0 .7-2.1 2-6 2s-6-1.3-6-2zm0 6C7.4 15.7 9.6 16 12 16s4.6-.3 6-.8V18c0 .7-2.1 2-6 2s-6-1.3-6-2z' },
  { to: 'feature_flags', label: 'Feature flags', icon: 'M5 21V3h2v1h12l-2 5 2 5H7v7zM7 6v6h9.1l-1.2-3 1.2-3z' },
  { to: 'experiments', label: 'Experiments', icon: 'M9 3h6v2h-1v4.6l5.6 9.3A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.1L10 9.6V5H9zm3 8.2L8.7 17h6.6z' },
  {
    to: 'settings',
    label: 'Settings',
    icon: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 4-2.1-.7-.5-1.3 1-2-1.4-1.4-2 1-1.3-.5L14 3h-2l-.7 2.1-1.3.5-2-1-1.4 1.4 1 2-.5 1.3L3 10v2l2.1.7.5 1.3-1 2 1.4 1.4 2-1 1.3.5L10 21h2l.7-2.1 1.3-.5 2 1 1.4-1.4-1-2 .5-1.3L21 14z',
  },
];
