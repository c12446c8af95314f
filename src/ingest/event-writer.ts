import type { Logger } from '../log.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import { HedgerowError } from '../errors.js';

interface Pending {
  /** JSONEachRow lines for the events table. */
  rows: Buffer;
  count: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface EventWriterOptions {
  /** Most rows one INSERT carries; ClickHouse prefers few large inserts. */
  maxRowsPerInsert: number;
  /** Inserts in flight at once: while one waits for its fsync, the next is already being written. */
  maxConcurrentInserts: number;
  /** Rows waiting beyond this are refused with 503 so memory stays bounded under overload. */
  maxPendingRows: number;
  /** Runs with each insert: what the events depend on (person changes) becomes durable with them. */
  beforeInsert?: () => Promise<void>;
  /** Awaited before a group is taken: lets requests that are about to be queued join it. */
  beforeGroup?: () => Promise<void>;
}

const DEFAULTS: EventWriterOptions = { maxRowsPerInsert: 50_000, maxConcurrentInserts: 1, maxPendingRows: 500_000 };

/**
 * Group commit into the events table. Requests enqueue their events and wait; each insert takes
 * everything queued so far, and every request in it is acknowledged only after ClickHouse has
 * written and fsynced the part. While inserts are in flight the next group gathers, so throughput
 * grows with load instead of with the number of inserts.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private pendingRows = 0;
  private inserting = 0;
  private readonly idle: Array<() => void> = [];
  private readonly options: EventWriterOptions;
  private closed = false;

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
    options: Partial<EventWriterOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Queues `count` events' JSONEachRow lines; resolves once they are durable. */
  write(rows: Buffer, count: number): Promise<void> {
    if (this.closed) return Promise.reject(new HedgerowError('overloaded', 'server is shutting down'));
    if (this.pendingRows + count > this.options.maxPendingRows) {
      return Promise.reject(new HedgerowError('overloaded', 'too many events are waiting to be written; retry shortly'));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, count, resolve, reject });
      this.pendingRows += count;
      if (this.inserting < this.options.maxConcurrentInserts) void this.run();
    });
  }

  private takeGroup(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.count <= this.options.maxRowsPerInsert)) {
      rows += this.queue[n]!.count;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /** One insert lane: keeps taking groups until the queue is empty. */
  private async run(): Promise<void> {
    this.inserting++;
    try {
      while (this.queue.length > 0) {
        if (this.options.beforeGroup) await this.options.beforeGroup();
        const group = this.takeGroup();
        try {
          await this.insert(group);
          for (const p of group) p.resolve();
        } catch (err) {
          // One bad request must not fail its neighbours: retry each request on its own.
          this.log.error({ err, requests: group.length }, 'group insert failed; retrying requests one by one');
          for (const p of group) {
            try {
              await this.insert([p]);
              p.resolve();
            } catch (single) {
              this.log.error({ err: single, rows: p.count }, 'insert failed');
              p.reject(single);
            }
          }
        } finally {
          for (const p of group) this.pendingRows -= p.count;
        }
      }
    } finally {
      this.inserting--;
      if (this.inserting === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  private async insert(group: Pending[]): Promise<void> {
    const payload = group.length === 1 ? group[0]!.rows : Buffer.concat(group.map((p) => p.rows));
    // Person changes and events go to different tables: written side by side, both durable before any ack.
    await Promise.all([this.options.beforeInsert?.(), payload.length > 0 ? this.ch.insertJSONEachRow('events', payload) : undefined]);
  }

  /** Resolves once everything queued before it, and every person change made so far, is durable. */
  barrier(): Promise<void> {
    return this.write(Buffer.alloc(0), 0);
  }

  /** Stops taking writes and waits for everything queued to be written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.inserting > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
