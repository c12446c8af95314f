import { lazy, Suspense, useMemo, useRef, type KeyboardEvent } from 'react';
import { DataTable, type DataColumn } from '../../components/data-table.js';
import { Loading } from '../../components/states.js';
import { formatNumber } from '../../format.js';

/** What `POST /query/` answers for a HogQLQuery (the parts this screen reads). */
export interface HogQLResponse {
  results: unknown[][];
  columns: string[];
  types: Array<[string, string]>;
  hasMore: boolean | null;
  limit?: number;
  timings?: Array<{ k: string; t: number }>;
}

export type OutputTab = 'results' | 'visualization';
export type ChartType = 'line' | 'bar';

// ECharts is as large as the editor: fetched only when someone opens the Chart tab.
const SeriesChart = lazy(() => import('../../charts/series-chart.js').then((m) => ({ default: m.SeriesChart })));

const NUMERIC_TYPE = /^(Nullable\()?(U?Int(8|16|32|64|128|256)|Float(32|64)|Decimal)/;

/** Columns after the first whose type is numeric: the series of the chart (the first column is x). */
export function chartableColumns(response: HogQLResponse): number[] {
  const out: number[] = [];
  response.columns.forEach((_, i) => {
    if (i === 0) return;
    const type = response.types[i]?.[1] ?? '';
    const numeric = NUMERIC_TYPE.test(type) || (type === '' && response.results.every((r) => r[i] === null || typeof r[i] === 'number'));
    if (numeric) out.push(i);
  });
  return out;
}

function duration(seconds: number): string {
  return seconds < 1 ? `${Math.max(1, Math.round(seconds * 1000))} ms` : `${seconds.toFixed(2)} s`;
}

const TIMING_NAMES: Record<string, string> = { './compile': 'compile', './clickhouse_execute': 'execute' };

export function QueryResults({
  response,
  roundTripMs,
  tab,
  onTab,
  chartType,
  onChartType,
}: {
  response: HogQLResponse;
  roundTripMs: number;
  tab: OutputTab;
  onTab: (tab: OutputTab) => void;
  chartType: ChartType;
  onChartType: (type: ChartType) => void;
}) {
  const columns = useMemo<DataColumn<unknown[]>[]>(
    () =>
      response.columns.map((name, i) => ({
        key: String(i),
        label: name,
        value: (row) => row[i],
        numeric: NUMERIC_TYPE.test(response.types[i]?.[1] ?? ''),
      })),
    [response],
  );
  const series = chartableColumns(response);
  const tabs: Array<{ id: OutputTab; label: string }> = [
    { id: 'results', label: 'Results' },
    { id: 'visualization', label: 'Chart' },
  ];
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);

  function onKeyDown(e: KeyboardEvent, index: number) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = tabs[(index + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length]!;
    onTab(next.id);
    buttons.current[tabs.indexOf(next)]?.focus();
  }

  const serverSeconds = (response.timings ?? []).reduce((sum, t) => sum + t.t, 0);
  const rows = response.results.length;
  return (
    <section className="card sql-output" aria-labelledby="sql-output-title">
      <h2 id="sql-output-title" className="visually-hidden">
        Query output
      </h2>
      <p className="sql-stats" role="status">
        <strong data-testid="sql-row-count">{formatNumber(rows)}</strong> {rows === 1 ? 'row' : 'rows'}
        {response.timings && response.timings.length > 0 && (
          <>
            {' '}
            · server {duration(serverSeconds)} ({response.timings.map((t) => `${TIMING_NAMES[t.k] ?? t.k.replace(/^\.\//, '')} ${duration(t.t)}`).join(', ')})
          </>
        )}{' '}
        · round trip {duration(roundTripMs / 1000)}
      </p>
      {response.hasMore && (
        <p className="warning" role="note">
          Showing the first {formatNumber(response.limit ?? rows)} rows: the query has more. Without a LIMIT a query returns at most 100 rows; add <code>LIMIT n</code> (up to 50,000) to get more.
        </p>
      )}
      <div role="tablist" aria-label="Output" className="tabs">
        {tabs.map((t, index) => (
          <button
            key={t.id}
            ref={(el) => {
              buttons.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`sql-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="sql-output-panel"
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => onTab(t.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="sql-output-panel" aria-labelledby={`sql-tab-${tab}`}>
        {tab === 'results' && (
          <DataTable
            caption="Query results (column headers sort this page of rows)"
            columns={columns}
            rows={response.results}
            rowKey={(_, i) => String(i)}
            sortable
            csvFilename={`hedgerow-query-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.csv`}
            empty={<span className="muted">The query returned no rows.</span>}
          />
        )}
        {tab === 'visualization' &&
          (rows === 0 || series.length === 0 ? (
            <p className="muted">
              A chart needs at least one row and, after the first column (the x-axis), at least one numeric column — e.g.{' '}
              <code>SELECT toDate(timestamp) AS day, count() FROM events GROUP BY day ORDER BY day</code>.
            </p>
          ) : (
            <>
              <fieldset className="chart-type">
                <legend className="visually-hidden">Chart type</legend>
                {(['line', 'bar'] as const).map((t) => (
                  <label key={t} className="check">
                    <input type="radio" name="chart-type" value={t} checked={chartType === t} onChange={() => onChartType(t)} /> {t === 'line' ? 'Line' : 'Bar'}
                  </label>
                ))}
              </fieldset>
              <Suspense fallback={<Loading label="Loading the chart…" />}>
                <SeriesChart
                  type={chartType}
                  label={`${chartType === 'line' ? 'Line' : 'Bar'} chart of ${series.map((i) => response.columns[i]).join(', ')} by ${response.columns[0]}. The same numbers are in the Results tab.`}
                  x={response.results.map((r) => (r[0] === null || r[0] === undefined ? 'null' : typeof r[0] === 'object' ? JSON.stringify(r[0]) : String(r[0])))}
                  series={series.map((i) => ({ name: response.columns[i] ?? String(i), data: response.results.map((r) => (r[i] === null || r[i] === undefined ? null : Number(r[i]))) }))}
                />
              </Suspense>
            </>
          ))}
      </div>
    </section>
  );
}
