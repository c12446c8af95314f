import fs from 'node:fs';

/**
 * Runs a benchmark's `main` once, with the same exit rules for every bench: exit 0 only when `main`
 * says its figures are valid, and on success, failure, Ctrl-C or the deadline alike stop the
 * processes it started and remove its scratch directory.
 */
export function runBench(name: string, main: () => Promise<boolean>, opts: { deadlineMs: number; tmp: string; stop: () => void }): void {
  const cleanup = (): void => {
    opts.stop();
    try {
      fs.rmSync(opts.tmp, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      console.error(`could not remove ${opts.tmp}: ${(err as Error).message}`);
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const deadline = setTimeout(() => {
    console.error(`${name} did not finish within ${opts.deadlineMs / 1000} s; giving up`);
    cleanup();
    process.exit(1);
  }, opts.deadlineMs);
  deadline.unref();
  main().then(
    (ok) => {
      cleanup();
      process.exit(ok ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      cleanup();
      process.exit(1);
    },
  );
}
