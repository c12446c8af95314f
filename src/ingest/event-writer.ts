import type { Logger } from '../log.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import { eventRowLine, type IngestEvent } from './ingest-event.js';
import { HedgerowError } from '../errors.js';

interface Pending {
  events: IngestEvent[];
  rows: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface EventWriterOptions {
  /** Most rows one INSERT carries; ClickHouse prefers few large inserts. */
  maxRowsPerInsert: number;
  /** Rows waiting beyond this are refused with 503 so memory stays bounded under overload. */
  maxPendingRows: number;
}

const DEFAULTS: EventWriterOptions = { maxRowsPerInsert: 50_000, maxPendingRows: 500_000 };

/**
 * Group commit into the events table. Requests enqueue their rows and wait; one insert at a time
 * takes everything queued, and every request in it is acknowledged only after ClickHouse has
 * written (and fsynced) the part. While an insert runs the next group gathers, so throughput grows
 * with load instead of insert count.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private pendingRows = 0;
  private running: Promise<void> | null = null;
  private readonly options: EventWriterOptions;
  private closed = false;
  /** Figures for benchmarks and logs. */
  readonly stats = { inserts: 0, rows: 0 };

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
    options: Partial<EventWriterOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  write(events: IngestEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new HedgerowError('overloaded', 'server is shutting down'));
    if (this.pendingRows + events.length > this.options.maxPendingRows) {
      return Promise.reject(new HedgerowError('overloaded', 'too many events are waiting to be written; retry shortly'));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, rows: events.length, resolve, reject });
      this.pendingRows += events.length;
      this.running ??= this.drain().finally(() => {
        this.running = null;
      });
    });
  }

  private takeGroup(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows <= this.options.maxRowsPerInsert)) {
      rows += this.queue[n]!.rows;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
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
            this.log.error({ err: single, rows: p.rows }, 'insert failed');
            p.reject(single);
          }
        }
      } finally {
        for (const p of group) this.pendingRows -= p.rows;
      }
    }
  }

  private async insert(group: Pending[]): Promise<void> {
    let text = '';
    for (const p of group) for (const e of p.events) text += eventRowLine(e);
    await this.ch.insertJSONEachRow('events', Buffer.from(text, 'utf8'));
    this.stats.inserts++;
    this.stats.rows += group.reduce((n, p) => n + p.rows, 0);
  }

  /** Stops taking writes and waits for everything queued to be written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }
}
