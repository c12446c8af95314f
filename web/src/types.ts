/** The API shapes the web app reads (subsets of PostHog's, as Hedgerow serves them). */

export interface TeamBasic {
  id: number;
  uuid: string;
  organization: string;
  project_id: number;
  api_token: string;
  name: string;
  timezone: string;
}

export interface Me {
  id: number;
  uuid: string;
  email: string;
  first_name: string;
  team: TeamBasic | null;
  organization: { id: string; name: string; teams: TeamBasic[] };
  organizations: Array<{ id: string; name: string }>;
}

export interface PropertyFilter {
  key: string;
  type: 'event' | 'person';
  operator: string;
  value?: string | number | boolean | null | Array<string | number | boolean | null>;
}

export interface Project extends TeamBasic {
  test_account_filters: PropertyFilter[];
  week_start_day: 0 | 1;
  created_at: string;
}

export interface PersonalApiKey {
  id: string;
  label: string;
  mask_value: string;
  scopes: string[];
  scoped_teams: number[] | null;
  created_at: string;
  last_used_at: string | null;
  /** Only in the answer to a create: the secret, shown once. */
  value?: string;
}

export interface Paginated<T> {
  count?: number;
  next: string | null;
  results: T[];
}
