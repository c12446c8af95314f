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
  {
    to: 'settings',
    label: 'Settings',
    icon: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 4-2.1-.7-.5-1.3 1-2-1.4-1.4-2 1-1.3-.5L14 3h-2l-.7 2.1-1.3.5-2-1-1.4 1.4 1 2-.5 1.3L3 10v2l2.1.7.5 1.3-1 2 1.4 1.4 2-1 1.3.5L10 21h2l.7-2.1 1.3-.5 2 1 1.4-1.4-1-2 .5-1.3L21 14z',
  },
];
