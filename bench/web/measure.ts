/**
 * Timing pages in real Chromium. Every figure is milliseconds from the document's navigation start
 * (`performance.now()` in the page, whose origin is the navigation start) to the first animation
 * frame in which a DOM condition holds, checked every frame (`polling: 'raf'`).
 *
 * "Chart drawn" per visualisation:
 *  - ECharts (trends): a `.echart canvas` with at least one non-transparent pixel. Animation is off
 *    in the app's charts, so the first painted frame already holds the axes and the series.
 *  - funnel: every step bar (`[data-testid^=funnel-step-]`, as many as the query has steps);
 *  - retention: a row of the cohort table (`.retention-table tbody tr`) with a percentage cell;
 *  - tables (activity, persons, person, SQL results, cohorts, flags): the first `main table tbody tr`;
 *  - home: the 24-hour event count (`selector`).
 */
import type { BrowserContext, Page } from 'playwright-core';

/** Condition names the page-side check understands. */
export type Ready = 'echart' | 'funnel' | 'retention' | 'table' | 'dashboard' | 'selector';

// The minimal DOM the page-side check uses (the bench compiles without the DOM lib).
interface El {
  querySelectorAll(selector: string): Iterable<El> & { length: number };
  querySelector(selector: string): El | null;
  getContext?(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  width?: number;
  height?: number;
  disabled?: boolean;
  textContent?: string | null;
  click?(): void;
}

/** The in-page check; self-contained, since Playwright serialises it into the page. */
function readyIn(arg: { ready: Ready; steps: number; tiles: number; selector: string }): number | false {
  const document = (globalThis as unknown as { document: El }).document;
  const drawnCanvas = (root: El): boolean => {
    for (const canvas of root.querySelectorAll('.echart canvas')) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext?.('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) continue;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    }
    return false;
  };
  const funnel = (root: El, steps: number) => root.querySelectorAll('[data-testid^="funnel-step-"]').length >= steps;
  const retention = (root: El) => root.querySelector('.retention-table tbody tr .retention-cell') !== null;
  let ok = false;
  if (arg.ready === 'echart') ok = drawnCanvas(document);
  else if (arg.ready === 'funnel') ok = funnel(document, arg.steps);
  else if (arg.ready === 'retention') ok = retention(document);
  else if (arg.ready === 'table') ok = document.querySelector('main table tbody tr') !== null;
  else if (arg.ready === 'selector') ok = document.querySelector(arg.selector) !== null;
  else {
    // Dashboard: every tile shows its visualisation and no refresh is running.
    const tiles = [...document.querySelectorAll('.tile')];
    const busy = [...document.querySelectorAll('.dashboard-refresh button')].some((b) => b.disabled === true);
    ok = !busy && tiles.length >= arg.tiles && tiles.every((t) => drawnCanvas(t) || funnel(t, 1) || retention(t));
  }
  return ok ? performance.now() : false;
}

export interface Target {
  ready: Ready;
  steps?: number;
  tiles?: number;
  /** With `ready: 'selector'`: the element whose presence means drawn. */
  selector?: string;
}

/** Navigates (from about:blank, so a hash-only change is still a full load) and times the condition. */
export async function timeLoad(page: Page, url: string, target: Target, timeoutMs = 60_000): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(readyIn, { ready: target.ready, steps: target.steps ?? 1, tiles: target.tiles ?? 1, selector: target.selector ?? '' }, { polling: 'raf', timeout: timeoutMs });
  return (await handle.jsonValue()) as number;
}

/** The dashboard's Refresh: from the click to every tile drawn again with fresh results. */
export async function timeDashboardRefresh(page: Page, tiles: number, timeoutMs = 60_000): Promise<number> {
  const t0 = await page.evaluate(() => {
    const document = (globalThis as unknown as { document: El }).document;
    const button = [...document.querySelectorAll('.dashboard-refresh button')].find((b) => b.textContent?.trim() === 'Refresh');
    if (!button) throw new Error('no Refresh button');
    const start = performance.now();
    button.click?.();
    return start;
  });
  const handle = await page.waitForFunction(readyIn, { ready: 'dashboard' as Ready, steps: 1, tiles, selector: '' }, { polling: 'raf', timeout: timeoutMs });
  return ((await handle.jsonValue()) as number) - t0;
}

/** Logs the browser in with the session cookie from `POST /api/login` (the context shares its cookie jar). */
export async function logInContext(context: BrowserContext, url: string, email: string, password: string): Promise<void> {
  const res = await context.request.post(`${url}/api/login`, { data: { email, password } });
  if (!res.ok()) throw new Error(`/api/login answered ${res.status()}: ${await res.text()}`);
}

export function p50(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
