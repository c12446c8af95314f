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
