import crypto from 'node:crypto';
import { chIdentifier, chString, propertyTextSql } from '../hogql/printer.js';
import type { Logger } from '../log.js';
import type { ClickHouse } from '../storage/clickhouse.js';

const COMMENT_PREFIX = 'hedgerow property: ';

export interface MaterializeOptions {
  /** Reads of a property (across queries) before it gets a column. */
  threshold: number;
  /** At most this many materialized columns (each costs a little on every insert); 0 turns this off. */
  max: number;
}

/** `mat_<readable part>_<hash>`: unique per property, and a plain identifier whatever the key holds. */
export function materializedColumnName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_$]/g, '_').slice(0, 40);
  return `mat_${readable}_${crypto.createHash('sha1').update(key).digest('hex').slice(0, 8)}`;
}

/**
 * Hot event properties get their own column, as PostHog materializes them: a MATERIALIZED column
 * computed at insert with the same expression the compiler would use, so reading it gives exactly the
 * same value as extracting from the JSON, only without parsing JSON per row at query time. Old parts
 * compute a new column from its expression when read, so the column is usable at once; a background
 * `MATERIALIZE COLUMN` then writes it into them.
 *
 * Which properties: those queries read most (every top-level `properties.x` on events counts).
 */
export class MaterializedColumns {
  private readonly columns = new Map<string, string>();
  private readonly reads = new Map<string, number>();
  private readonly pending = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
    private readonly options: MaterializeOptions,
  ) {}

  /** Reads the columns earlier runs created. */
  async load(): Promise<void> {
    const rows = await this.ch.query<{ name: string; comment: string }>(
      `SELECT name, comment FROM system.columns WHERE database = currentDatabase() AND table = 'events' AND default_kind = 'MATERIALIZED' AND startsWith(comment, {prefix:String})`,
      { prefix: COMMENT_PREFIX },
    );
    for (const r of rows) this.columns.set(r.comment.slice(COMMENT_PREFIX.length), r.name);
  }

  column(key: string): string | undefined {
    return this.columns.get(key);
  }

  /** Counts a read; the read that reaches the threshold schedules the column. */
  noteRead(key: string): void {
    if (this.columns.has(key) || this.pending.has(key)) return;
    const n = (this.reads.get(key) ?? 0) + 1;
    this.reads.set(key, n);
    if (n >= this.options.threshold && this.columns.size + this.pending.size < this.options.max) {
      this.pending.add(key);
      void this.materialize(key);
    }
  }

  /** Creates the column for one property (idempotent); resolves when it is usable. */
  materialize(key: string): Promise<void> {
    const run = async () => {
      const name = materializedColumnName(key);
      const started = performance.now();
      try {
        await this.ch.exec(
          `ALTER TABLE events ADD COLUMN IF NOT EXISTS ${chIdentifier(name)} Nullable(String) MATERIALIZED ${propertyTextSql('properties', [chString(key)])} COMMENT ${chString(COMMENT_PREFIX + key)}`,
        );
        this.columns.set(key, name);
        // Writes the column into existing parts in the background (a mutation); reads are correct meanwhile.
        await this.ch.exec(`ALTER TABLE events MATERIALIZE COLUMN ${chIdentifier(name)} SETTINGS mutations_sync = 0`);
        this.log.info({ property: key, column: name, ms: Math.round(performance.now() - started) }, 'materialized an event property');
      } catch (err) {
        this.log.error({ err, property: key, column: name }, 'could not materialize an event property');
      } finally {
        this.pending.delete(key);
      }
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }

  /** Waits for scheduled columns (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }
}
