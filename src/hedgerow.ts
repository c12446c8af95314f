import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { DefinitionsTracker } from './definitions/definitions-tracker.js';
import { MaterializedColumns } from './query/materialized-columns.js';
import { ActionStore } from './metadata/actions.js';
import { FlagStore } from './flags/flag-store.js';
import { ExperimentStore } from './experiments/experiment-store.js';
import { CohortCalculator } from './cohorts/cohort-calculator.js';
import { CohortStore } from './cohorts/cohort-store.js';
import { cohortProjectContext } from './server/routes/query.js';
import type { ServerContext } from './server/context.js';
import { EventWriter } from './ingest/event-writer.js';
import { createLogger, type Logger } from './log.js';
import { bootstrapInstance, type Credentials } from './metadata/bootstrap.js';
import { PersonalApiKeyStore } from './metadata/personal-api-keys.js';
import { ProjectStore } from './metadata/projects.js';
import { buildApp } from './server/app.js';
import { ChdbDriver } from './storage/chdb-driver.js';
import { migrateClickHouse } from './storage/clickhouse-migrations.js';
import { PgliteDriver } from './storage/pglite-driver.js';
import { PersonProcessor } from './persons/person-processor.js';
import { PersonStore } from './persons/person-store.js';
import { migratePostgres } from './storage/postgres-migrations.js';

export interface RunningHedgerow {
  url: string;
  credentials: Credentials;
  app: FastifyInstance;
  writer: EventWriter;
  log: Logger;
  close(): Promise<void>;
}

/** Opens the embedded engines under the data dir, migrates, bootstraps, and starts listening. */
export async function startHedgerow(config: Config): Promise<RunningHedgerow> {
  const log = createLogger(config.logLevel);
  const pg = await PgliteDriver.open(path.join(config.dataDir, 'postgres'));
  const ch = new ChdbDriver(path.join(config.dataDir, 'clickhouse'));
  await migratePostgres(pg, log);
  await migrateClickHouse(ch, log);

  const projects = new ProjectStore(pg);
  await projects.load();
  const keys = new PersonalApiKeyStore(pg);
  const credentials = await bootstrapInstance({ pg, projects, keys, config, log });
  const persons = new PersonStore(pg, ch, log);
  // The ClickHouse person copy is written in the background; this marker says one may be behind.
  const personCopyMarker = path.join(config.dataDir, 'person-copy.unsynced');
  if (fs.existsSync(personCopyMarker)) await persons.copies.rebuildPersons(pg);
  fs.writeFileSync(personCopyMarker, 'Hedgerow is running or stopped uncleanly; the next start rebuilds the ClickHouse person copy.\n');
  const personCopyTimer = setInterval(() => void persons.copies.syncPersons(), 1000);
  const personProcessor = new PersonProcessor(persons, log);
  // Filled by the capture handler after person processing; written in the background about once a second.
  const definitions = new DefinitionsTracker(pg, log, { groupTypeIndex: (teamId, type) => persons.knownGroupTypeIndex(teamId, type) });
  // Person changes are written before the events that depend on them, in every insert.
  const writer = new EventWriter(ch, log, {
    beforeInsert: () => persons.flush(),
    // Requests waiting on a person lookup would otherwise miss this insert and cost one of their own.
    beforeGroup: () => persons.loadsSettled(50),
  });

  const materialized = new MaterializedColumns(ch, log, { max: config.query.materializeMax, threshold: config.query.materializeAfterReads });
  await materialized.load();
  const actions = new ActionStore(pg);
  const cohorts = new CohortStore(pg);
  // The calculator compiles definitions with the same compiler options as queries (built from the context below).
  const cohortCalculator = new CohortCalculator(ch, log, cohorts, (teamId) => cohortProjectContext(ctx, teamId));
  const ctx: ServerContext = { config, log, ch, pg, projects, keys, writer, persons, personProcessor, definitions, materialized, actions, cohorts, cohortCalculator, flags: new FlagStore(pg, log), experiments: new ExperimentStore(pg) };
  cohortCalculator.startSchedule(config.cohortRefreshSeconds);
  const app = await buildApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.siteUrl.replace(/:\d+$/, `:${port}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close(); // stop accepting; in-flight requests finish
      await cohortCalculator.stop();
      await writer.close();
      await definitions.close();
      await materialized.settled();
      clearInterval(personCopyTimer);
      // Only a complete copy clears the marker; otherwise the next start rebuilds it.
      if (await persons.copies.syncPersons()) fs.rmSync(personCopyMarker, { force: true });
      await ch.close();
      await pg.close();
    })());
  return { url, credentials, app, writer, log, close };
}
