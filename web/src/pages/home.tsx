import { useEffect } from 'react';
import { Link } from 'react-router';
import { api } from '../api.js';
import { SdkSnippets } from '../components/sdk-snippets.js';
import { ErrorState, Loading } from '../components/states.js';
import { formatDateTime, formatNumber, timeAgo } from '../format.js';
import { usePageTitle, useProject } from '../project.js';
import { useApi } from '../use-api.js';

interface Activity {
  last24h: number;
  latest: { event: string; timestamp: string } | null;
}

interface Progress {
  trends: number;
  funnels: number;
  retention: number;
  /** Some dashboard holds a saved trend, funnel and retention insight. */
  dashboard: boolean;
}

const COUNT_24H = 'SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 24 HOUR';
/** While the project waits for its first event, look again this often. */
const WAITING_POLL_MS = 5000;

async function loadActivity(projectId: number, signal: AbortSignal): Promise<Activity> {
  const [count, latest] = await Promise.all([
    api.post<{ results: number[][] }>(`/api/projects/${projectId}/query/`, { query: { kind: 'HogQLQuery', query: COUNT_24H } }),
    api.get<{ results: Array<{ event: string; timestamp: string }> }>(`/api/projects/${projectId}/events/?limit=1`, signal),
  ]);
  const first = latest.results[0];
  return { last24h: Number(count.results[0]?.[0] ?? 0), latest: first ? { event: first.event, timestamp: first.timestamp } : null };
}

/** What the project has built so far: saved insights of the three first kinds, and the dashboards they are on. */
async function loadProgress(projectId: number, signal: AbortSignal): Promise<Progress> {
  const saved = (kind: string) =>
    api.get<{ count: number; results: Array<{ dashboards: number[] }> }>(`/api/projects/${projectId}/insights/?saved=true&basic=true&kind=${kind}&limit=50`, signal);
  const [trends, funnels, retention] = await Promise.all([saved('TrendsQuery'), saved('FunnelsQuery'), saved('RetentionQuery')]);
  const on = (page: typeof trends) => new Set(page.results.flatMap((i) => i.dashboards));
  const [t, f, r] = [on(trends), on(funnels), on(retention)];
  return { trends: trends.count, funnels: funnels.count, retention: retention.count, dashboard: [...t].some((id) => f.has(id) && r.has(id)) };
}

/**
 * After the first event: the path from events to a dashboard, each step linked and ticked off
 * from what the project really holds (saved insights of each kind, a dashboard with tiles).
 */
function GetStarted({ projectId, base }: { projectId: number; base: string }) {
  const progress = useApi(`home-progress:${projectId}`, (signal) => loadProgress(projectId, signal));
  if (progress.status === 'loading') return <Loading label="Loading your progress…" />;
  if (progress.status === 'error') return <ErrorState error={progress.error} retry={progress.reload} />;
  const p = progress.data;
  const steps = [
    { done: true, to: `${base}/activity/explore`, label: 'See your events arrive live', hint: 'Activity' },
    { done: p.trends > 0, to: `${base}/insights/new#insight=TRENDS`, label: 'Chart a trend', hint: 'e.g. pageviews per day' },
    { done: p.funnels > 0, to: `${base}/insights/new#insight=FUNNELS`, label: 'Build a funnel', hint: 'where people drop off between steps' },
    { done: p.retention > 0, to: `${base}/insights/new#insight=RETENTION`, label: 'See retention', hint: 'who comes back' },
    { done: p.dashboard, to: `${base}/dashboard`, label: 'Put them on one dashboard', hint: 'the "Add to dashboard" button of a saved insight' },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <section className="card get-started" aria-labelledby="get-started-title">
      <h2 id="get-started-title">{left === 0 ? 'All set' : 'Next steps'}</h2>
      <ol>
        {steps.map((s) => (
          <li key={s.label} className={s.done ? 'done' : undefined}>
            <span className="check" aria-hidden="true">
              {s.done ? '✓' : '○'}
            </span>
            <Link to={s.to}>{s.label}</Link> <span className="muted">— {s.hint}</span>
            {s.done && <span className="visually-hidden"> (done)</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function Home() {
  const { project, base } = useProject();
  usePageTitle('Home', project.name);
  const activity = useApi(`home:${project.id}`, (signal) => loadActivity(project.id, signal));
  const waiting = activity.status === 'ready' && activity.data.latest === null;
  const { reload } = activity;

  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, WAITING_POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, reload]);

  return (
    <>
      <div className="page-header">
        <h1>{project.name}</h1>
        <button type="button" className="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {activity.status === 'loading' && <Loading label="Loading activity…" />}
      {activity.status === 'error' && <ErrorState error={activity.error} retry={reload} />}
      {activity.status === 'ready' && activity.data.latest === null && (
        <section className="card onboarding" aria-labelledby="onboarding-title">
          <h2 id="onboarding-title">No events yet</h2>
          <p>
            Send your first event: paste one of these into your app. The project API key and this server's address are filled in.
          </p>
          <SdkSnippets token={project.api_token} />
          <p className="muted" role="status">
            <span className="spinner" aria-hidden="true" /> Waiting for the first event… this page checks every few seconds.
          </p>
        </section>
      )}
      {activity.status === 'ready' && activity.data.latest !== null && (
        <>
          <section className="card stats" aria-labelledby="events-24h-label">
            <div className="stat">
              <span id="events-24h-label" className="stat-label">
                Events in the last 24 hours
              </span>
              <span className="stat-value" data-testid="events-24h">
                {formatNumber(activity.data.last24h)}
              </span>
            </div>
            <div className="stat">
              <span className="stat-label">Latest event</span>
              <span className="stat-detail">
                <code>{activity.data.latest.event}</code>{' '}
                <time dateTime={activity.data.latest.timestamp} title={formatDateTime(activity.data.latest.timestamp, project.timezone)}>
                  {timeAgo(activity.data.latest.timestamp)}
                </time>
              </span>
            </div>
          </section>
          <GetStarted projectId={project.id} base={base} />
          <details className="card">
            <summary>Send events from another app</summary>
            <SdkSnippets token={project.api_token} />
          </details>
        </>
      )}
      <p className="muted">
        Project settings, the API key and timezone are in <Link to={`${base}/settings/project`}>Settings</Link>.
      </p>
    </>
  );
}
