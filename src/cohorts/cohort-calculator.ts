import { HogQLError } from '../hogql/ast.js';
import { compileHogQLSelectBody, type CompileOptions } from '../hogql/compile.js';
import { settingsClause } from '../hogql/compile-settings.js';
import { parseSelect } from '../hogql/parser.js';
import type { Logger } from '../log.js';
import { hogqlErrorToHttp } from '../query/execute.js';
import { ClickHouseQueryError, type ClickHouse } from '../storage/clickhouse.js';
import { cohortMembershipQuery, type CohortExprContext } from './cohort-expr.js';
import type { CohortStore } from './cohort-store.js';
import type { Cohort } from './cohort-types.js';

/** What a calculation needs of its project: the compiler options and the context of cohort definitions. */
export type CohortProjectContext = (teamId: number) => Promise<{ compile: CompileOptions; expr: CohortExprContext }>;

/**
 * Computes cohort membership into ClickHouse `cohort_people`: each calculation writes a complete new
 * version, then the cohort moves to it and older versions are deleted, so readers always see one
 * whole set. Calculations of one cohort never overlap; a change during a calculation queues one more.
 */
export class CohortCalculator {
  private readonly running = new Map<number, Promise<void>>();
  private readonly queued = new Map<number, Promise<void>>();
  /** Member person ids per (cohort, version), for flag evaluation. */
  private readonly members = new Map<number, { version: number; ids: Promise<Set<string>> }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
    private readonly store: CohortStore,
    private readonly projectContext: CohortProjectContext,
  ) {}

  /**
   * Checks that a dynamic definition compiles (bad filters are a 400 at save time, not a failed
   * background job). Throws the HTTP error.
   */
  async validate(cohort: Cohort): Promise<void> {
    const { compile, expr } = await this.projectContext(cohort.teamId);
    try {
      if (cohort.query) {
        const columns = compileHogQLSelectBody(parseSelect(cohort.query.query), compile).columns.length;
        if (columns !== 1) throw new HogQLError('query', `a cohort query must return one column of person ids, this one returns ${columns}`);
      }
      compileHogQLSelectBody(cohortMembershipQuery(cohort, expr), compile);
    } catch (err) {
      if (err instanceof HogQLError) throw hogqlErrorToHttp(err);
      throw err;
    }
  }

  /** Starts (or queues) a recalculation; resolves when the cohort's membership reflects its definition at call time. */
  recalculate(cohort: Cohort): Promise<void> {
    if (cohort.isStatic) return Promise.resolve();
    const current = this.running.get(cohort.id);
    if (!current) return this.start(cohort.teamId, cohort.id);
    let queued = this.queued.get(cohort.id);
    if (!queued) {
      queued = current.then(() => this.start(cohort.teamId, cohort.id));
      this.queued.set(cohort.id, queued);
    }
    return queued;
  }

  private start(teamId: number, id: number): Promise<void> {
    this.queued.delete(id);
    const run: Promise<void> = this.calculate(teamId, id).finally(() => {
      if (this.running.get(id) === run) this.running.delete(id);
    });
    this.running.set(id, run);
    return run;
  }

  private async calculate(teamId: number, id: number): Promise<void> {
    const version = await this.store.startCalculation(teamId, id);
    const started = performance.now();
    try {
      const cohort = await this.store.get(teamId, id);
      if (!cohort) return;
      const { compile, expr } = await this.projectContext(teamId);
      const body = compileHogQLSelectBody(cohortMembershipQuery(cohort, { ...expr, now: new Date() }), compile);
      await this.ch.exec(
        `INSERT INTO cohort_people (team_id, cohort_id, version, person_id) SELECT ${teamId}, ${id}, ${version}, * FROM (${body.sql}) ${settingsClause(compile, { readonly: false })}`,
        body.params,
      );
      const [row] = await this.ch.query<{ n: number }>(
        'SELECT count(DISTINCT person_id) AS n FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND version = {v:UInt64}',
        { t: teamId, c: id, v: version },
      );
      const count = Number(row?.n ?? 0);
      const finished = await this.store.finishCalculation(teamId, id, version, count);
      // Older versions are no longer read; if a newer calculation finished first, this one is the old one.
      await this.ch.exec(`DELETE FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND version ${finished ? '<' : '='} {v:UInt64}`, {
        t: teamId,
        c: id,
        v: version,
      });
      this.log.info({ teamId, cohortId: id, version, count, ms: Math.round(performance.now() - started) }, 'cohort calculated');
    } catch (err) {
      const message = err instanceof HogQLError || err instanceof ClickHouseQueryError ? err.message : String(err);
      this.log.error({ err, teamId, cohortId: id, version }, 'cohort calculation failed');
      await this.store.failCalculation(teamId, id, version, message);
      // The partial version is never read; remove it.
      await this.ch.exec('DELETE FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND version = {v:UInt64}', { t: teamId, c: id, v: version });
    }
  }

  /** Static cohorts: adds people (person uuids) to the membership; returns the new member count. */
  async addStaticMembers(cohort: Cohort, personIds: string[]): Promise<number> {
    const version = cohort.version ?? 1;
    if (personIds.length > 0) {
      const existing = await this.memberIds(cohort);
      const fresh = [...new Set(personIds)].filter((p) => !existing.has(p));
      if (fresh.length > 0) {
        const rows = fresh.map((p) => JSON.stringify({ team_id: cohort.teamId, cohort_id: cohort.id, version, person_id: p })).join('\n');
        await this.ch.insertJSONEachRow('cohort_people', Buffer.from(rows));
      }
    }
    return this.staticCount(cohort, version);
  }

  async removeStaticMember(cohort: Cohort, personId: string): Promise<number> {
    const version = cohort.version ?? 1;
    await this.ch.exec('DELETE FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND person_id = {p:UUID}', { t: cohort.teamId, c: cohort.id, p: personId });
    return this.staticCount(cohort, version);
  }

  private async staticCount(cohort: Cohort, version: number): Promise<number> {
    this.members.delete(cohort.id);
    const [row] = await this.ch.query<{ n: number }>(
      'SELECT count(DISTINCT person_id) AS n FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND version = {v:UInt64}',
      { t: cohort.teamId, c: cohort.id, v: version },
    );
    return Number(row?.n ?? 0);
  }

  /** The current members of a cohort (person uuids), cached per version. */
  memberIds(cohort: Cohort): Promise<Set<string>> {
    const version = cohort.version;
    if (version === null) return Promise.resolve(new Set());
    const cached = this.members.get(cohort.id);
    if (cached && cached.version === version) return cached.ids;
    const ids = this.ch
      .query<{ person_id: string }>('SELECT DISTINCT person_id FROM cohort_people WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} AND version = {v:UInt64}', {
        t: cohort.teamId,
        c: cohort.id,
        v: version,
      })
      .then((rows) => new Set(rows.map((r) => r.person_id)));
    this.members.set(cohort.id, { version, ids });
    ids.catch(() => this.members.delete(cohort.id));
    return ids;
  }

  /** A page of member ids, newest calculation, in a stable order. */
  async memberPage(cohort: Cohort, limit: number, offset: number): Promise<{ ids: string[]; total: number }> {
    if (cohort.version === null) return { ids: [], total: 0 };
    const params = { t: cohort.teamId, c: cohort.id, v: cohort.version, l: limit, o: offset };
    const where = 'team_id = {t:Int64} AND cohort_id = {c:Int64} AND version = {v:UInt64}';
    const rows = await this.ch.query<{ person_id: string }>(`SELECT DISTINCT person_id FROM cohort_people WHERE ${where} ORDER BY person_id LIMIT {l:UInt64} OFFSET {o:UInt64}`, params);
    const [total] = await this.ch.query<{ n: number }>(`SELECT count(DISTINCT person_id) AS n FROM cohort_people WHERE ${where}`, params);
    return { ids: rows.map((r) => r.person_id), total: Number(total?.n ?? 0) };
  }

  /** Recalculates every dynamic cohort periodically (membership of behavioural cohorts moves with time). */
  startSchedule(everySeconds: number): void {
    if (everySeconds <= 0) return;
    const tick = async () => {
      try {
        for (const cohort of await this.store.dynamicCohorts()) await this.recalculate(cohort);
      } catch (err) {
        this.log.error({ err }, 'scheduled cohort recalculation failed');
      }
    };
    this.timer = setInterval(() => void tick(), everySeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }
}
