/** What run.ts passes to the client process (as JSON in argv[2]). */
export interface ClientConfig {
  port: number;
  apiKey: string;
  seconds: number;
  concurrency: number;
  /** Distinct pre-generated request bodies, reused with fresh uuids. */
  pool: number;
  /** Share of events that carry $set or identify traffic (0 = the plain mix). */
  personShare: number;
  /** Every event has `$process_person_profile: false`. */
  personless: boolean;
}

export interface ClientResult {
  requests: number;
  acked: number;
  non200: number;
  /** First few distinct non-200 answers or connection errors, for the report. */
  samples: string[];
  elapsedSeconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuSeconds: number;
}

/** Client → run.ts over the fork IPC channel; run.ts answers `ready` with the string 'start'. */
export type ClientMessage =
  | { type: 'ready'; bodies: number; bodyBytes: number; genSeconds: number }
  | { type: 'progress'; acked: number; non200: number; elapsedSeconds: number }
  | { type: 'done'; result: ClientResult };
