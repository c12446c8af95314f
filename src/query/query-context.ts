import type { CompileOptions } from '../hogql/compile.js';
import type { Logger } from '../log.js';
import type { Action } from '../metadata/actions.js';
import type { Cohort } from '../cohorts/cohort-types.js';
import type { Experiment } from '../experiments/experiment-store.js';
import type { FeatureFlag } from '../flags/flag-types.js';
import type { Project } from '../metadata/projects.js';
import type { PersonQueries } from '../persons/person-queries.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import type { QueryLimits } from './execute.js';

/** What a query runner needs: the project it runs for, engines, and the compiler options derived from both. */
export interface QueryContext {
  project: Project;
  ch: ClickHouse;
  log: Logger;
  persons: PersonQueries;
  propertyType: CompileOptions['propertyType'];
  compileOptions: CompileOptions & QueryLimits;
  /** "now" for relative dates, fixed per request. */
  now: Date;
  /** The project's actions by id, for ActionsNode series and `matchesAction()`. */
  actions: Map<number, Action>;
  /** The project's cohorts by id, deleted ones included (read-only: names for cohort breakdown labels, validation). */
  readonly cohorts: ReadonlyMap<number, Cohort>;
  /** An experiment of the project with its flag (ExperimentQuery). */
  experiment: (id: number) => Promise<{ experiment: Experiment; flag: FeatureFlag } | undefined>;
}
