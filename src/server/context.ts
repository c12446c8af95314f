import type { Config } from '../config.js';
import type { DefinitionsTracker } from '../definitions/definitions-tracker.js';
import type { MaterializedColumns } from '../query/materialized-columns.js';
import type { ActionStore } from '../metadata/actions.js';
import type { FlagStore } from '../flags/flag-store.js';
import type { ExperimentStore } from '../experiments/experiment-store.js';
import type { CohortCalculator } from '../cohorts/cohort-calculator.js';
import type { CohortStore } from '../cohorts/cohort-store.js';
import type { EventWriter } from '../ingest/event-writer.js';
import type { Logger } from '../log.js';
import type { PersonalApiKeyStore } from '../metadata/personal-api-keys.js';
import type { ProjectStore } from '../metadata/projects.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import type { Postgres } from '../storage/postgres.js';
import type { PersonProcessor } from '../persons/person-processor.js';
import type { PersonStore } from '../persons/person-store.js';

/** The long-lived services routes use; built once at start. */
export interface ServerContext {
  config: Config;
  log: Logger;
  ch: ClickHouse;
  pg: Postgres;
  projects: ProjectStore;
  keys: PersonalApiKeyStore;
  writer: EventWriter;
  persons: PersonStore;
  personProcessor: PersonProcessor;
  /** Event and property definitions (taxonomy), filled by ingestion; typed property lookups for HogQL. */
  definitions: DefinitionsTracker;
  /** Actions per project (cached; ActionsNode series and `matchesAction()`). */
  actions: ActionStore;
  /** Columns for hot event properties, used by the HogQL compiler. */
  materialized: MaterializedColumns;
  /** Cohorts per project (cached) and their membership calculation. */
  cohorts: CohortStore;
  cohortCalculator: CohortCalculator;
  /** Feature flags per project (active ones cached for `/flags`). */
  flags: FlagStore;
  /** Experiments (each on a multivariate flag). */
  experiments: ExperimentStore;
}
