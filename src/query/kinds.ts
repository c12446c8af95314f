import type { z } from 'zod';
import type { SelectQuery } from '../hogql/ast.js';
import { actorsQuerySchema, runActorsQuery } from './actors-query.js';
import { eventsQuerySchema, runEventsQuery } from './events-query.js';
import { hogqlQuerySchema, runHogQLQuery } from './hogql-query.js';
import { pathsActors, pathsQuerySchema, runPathsQuery } from '../insights/paths.js';
import { retentionActors, retentionQuerySchema, runRetentionQuery } from '../insights/retention.js';
import { lifecycleActors, lifecycleQuerySchema, runLifecycleQuery } from '../insights/lifecycle.js';
import { runTrendsQuery, trendsActors, trendsQuerySchema } from '../insights/trends.js';
import { runStickinessQuery, stickinessActors, stickinessQuerySchema } from '../insights/stickiness.js';
import { funnelsActors, funnelsQuerySchema, runFunnelsQuery } from '../insights/funnels.js';
import { experimentQuerySchema, runExperimentQuery } from '../experiments/experiment-query.js';
import { experimentExposureQuerySchema, runExperimentExposureQuery } from '../experiments/experiment-exposure-query.js';
import type { QueryContext } from './query-context.js';

/** What "who is behind this data point" asks of an insight (PostHog's `InsightActorsQuery` and friends). */
export interface ActorsRequest {
  /** Trends/stickiness/lifecycle: the bucket (ISO date or day number); retention: the cohort row. */
  day?: string | number | null;
  /** Lifecycle status, e.g. "new", "dormant". */
  status?: string | null;
  /** Retention: the interval column of a row. */
  interval?: number | null;
  /** Series index (0-based). */
  series?: number | null;
  breakdown?: string | number | (string | number)[] | null;
  compare?: 'current' | 'previous' | null;
  /** Funnels: 1-based step; negative = dropped off before that step. */
  funnelStep?: number | null;
  funnelStepBreakdown?: unknown;
}

/**
 * A query kind the `/query/` endpoint runs. Insight kinds also answer `actors`: a HogQL select whose one
 * column (`actor_id`) lists the actors behind a data point; ActorsQuery turns that into a persons list.
 */
export interface QueryKind<T> {
  schema: z.ZodType<T>;
  run(query: T, ctx: QueryContext): Promise<Record<string, unknown>>;
  actors?(query: T, request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery>;
}

/** Registers a kind; the registry holds them type-erased (each kind's schema validates its own input). */
export function kind<T>(k: QueryKind<T>): QueryKind<unknown> {
  return k as unknown as QueryKind<unknown>;
}

/** Every kind `/query/` answers. Insight kinds add themselves here. */
export const queryKinds: Record<string, QueryKind<unknown>> = {
  HogQLQuery: kind({ schema: hogqlQuerySchema, run: runHogQLQuery }),
  EventsQuery: kind({ schema: eventsQuerySchema, run: runEventsQuery }),
  ActorsQuery: kind({ schema: actorsQuerySchema, run: runActorsQuery }),
  LifecycleQuery: kind({ schema: lifecycleQuerySchema, run: runLifecycleQuery, actors: lifecycleActors }),
  StickinessQuery: kind({ schema: stickinessQuerySchema, run: runStickinessQuery, actors: stickinessActors }),
  RetentionQuery: kind({ schema: retentionQuerySchema, run: runRetentionQuery, actors: retentionActors }),
  PathsQuery: kind({ schema: pathsQuerySchema, run: runPathsQuery, actors: pathsActors }),
  TrendsQuery: kind({ schema: trendsQuerySchema, run: runTrendsQuery, actors: trendsActors }),
  FunnelsQuery: kind({ schema: funnelsQuerySchema, run: runFunnelsQuery, actors: funnelsActors }),
  ExperimentQuery: kind({ schema: experimentQuerySchema, run: runExperimentQuery }),
  ExperimentExposureQuery: kind({ schema: experimentExposureQuerySchema, run: runExperimentExposureQuery }),
};
