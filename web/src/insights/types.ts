/** The saved-insight and dashboard shapes the insight and dashboard screens read (PostHog's, as Hedgerow serves them). */

export interface UserBasic {
  id: number;
  first_name: string;
  email: string;
}

export interface Insight {
  id: number;
  short_id: string;
  name: string | null;
  derived_name: string | null;
  description: string | null;
  query: unknown;
  result: unknown;
  last_refresh: string | null;
  is_cached: boolean;
  timezone: string;
  dashboards: number[];
  created_at: string | null;
  created_by: UserBasic | null;
  last_modified_at: string | null;
  last_modified_by: UserBasic | null;
  query_status: { error?: boolean; error_message?: string } | null;
}

export interface TileLayout {
  x?: number;
  y?: number;
  w?: number;
  h?: number;
}

export interface DashboardTile {
  id: number;
  layouts: { sm?: TileLayout; [size: string]: TileLayout | undefined };
  insight: Insight | null;
  text: { body: string } | null;
  last_refresh: string | null;
}

export interface DashboardFilters {
  date_from?: string | null;
  date_to?: string | null;
  [key: string]: unknown;
}

export interface DashboardBasic {
  id: number;
  name: string | null;
  description: string | null;
  pinned: boolean;
  created_at: string | null;
  created_by: UserBasic | null;
  last_accessed_at: string | null;
}

export interface Dashboard extends DashboardBasic {
  filters: DashboardFilters;
  tiles: DashboardTile[];
  last_refresh: string | null;
}
