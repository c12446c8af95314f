import { useCohortNames } from './cohort-labels.js';
import { breakdownLabel, formatPercent, formatValue, type VizProps } from './types.js';

export interface RetentionRow {
  date: string;
  label: string;
  values: Array<{ count: number; label?: string }>;
  breakdown_value?: unknown;
}

/** "Mon 6 May" for days and weeks, "May 2024" for months, with the hour for hourly cohorts. */
function cohortLabel(date: string, period: string, timeZone: string | undefined): string {
  const d = new Date(date);
  const opts: Intl.DateTimeFormatOptions =
    period === 'Month' ? { month: 'short', year: 'numeric' } : period === 'Hour' ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { weekday: 'short', month: 'short', day: 'numeric' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone }).format(d);
  } catch {
    return date.slice(0, 10);
  }
}

/**
 * The cohort table: one row per cohort (its start and size), then the share of the cohort that came
 * back in each period, coloured by that share. Every cell opens the persons it counts.
 */
export function RetentionViz({ query, results, onDrill, compact, timezone }: VizProps<RetentionRow[]> & { timezone?: string }) {
  // A cohort breakdown's value is the cohort id; the row shows the cohort's name.
  const cohortName = useCohortNames(query);
  if (results.length === 0) return <p className="muted">No cohorts in this date range.</p>;
  const period = query.retentionFilter?.period ?? 'Day';
  const columns = Math.max(...results.map((r) => r.values.length));
  const hasBreakdown = results.some((r) => r.breakdown_value !== undefined && r.breakdown_value !== null);
  // Row index within its breakdown value: the actors query numbers cohorts per breakdown.
  const rowIndex = new Map<RetentionRow, number>();
  const seen = new Map<string, number>();
  for (const r of results) {
    const key = JSON.stringify(r.breakdown_value ?? null);
    const i = seen.get(key) ?? 0;
    rowIndex.set(r, i);
    seen.set(key, i + 1);
  }

  const open = (row: RetentionRow, column?: number) => {
    if (!onDrill) return;
    const source: Record<string, unknown> = { kind: 'InsightActorsQuery', source: query, interval: rowIndex.get(row) ?? 0 };
    if (column !== undefined) source.day = column;
    if (hasBreakdown) source.breakdown = row.breakdown_value as string;
    const when = cohortLabel(row.date, period, timezone);
    const of = cohortName ? `${cohortName(row.breakdown_value)}: cohort of ${when}` : `Cohort of ${when}`;
    onDrill({ title: column === undefined ? of : `${of}, back in ${period.toLowerCase()} ${column}`, source });
  };

  return (
    <div className="table-scroll">
      <table className={compact ? 'table retention-table retention-compact' : 'table retention-table'}>
        <thead>
          <tr>
            {hasBreakdown && <th scope="col">Breakdown</th>}
            <th scope="col">Cohort</th>
            <th scope="col" className="num">
              Size
            </th>
            {Array.from({ length: columns }, (_, k) => (
              <th key={k} scope="col" className="num">
                {period} {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {results.map((row, r) => {
            const size = row.values[0]?.count ?? 0;
            return (
              <tr key={r}>
                {hasBreakdown && <td data-testid="retention-breakdown">{cohortName ? cohortName(row.breakdown_value) : breakdownLabel(row.breakdown_value)}</td>}
                <th scope="row">{cohortLabel(row.date, period, timezone)}</th>
                <td className="num">
                  {onDrill ? (
                    <button type="button" className="link-button" onClick={() => open(row)} data-testid="cohort-size">
                      {formatValue(size)}
                    </button>
                  ) : (
                    <span data-testid="cohort-size">{formatValue(size)}</span>
                  )}
                </td>
                {Array.from({ length: columns }, (_, k) => {
                  const cell = row.values[k];
                  if (!cell) return <td key={k} className="retention-empty" />;
                  const ratio = size ? cell.count / size : 0;
                  const text = formatPercent(ratio);
                  return (
                    <td
                      key={k}
                      className={ratio > 0.45 ? 'num retention-cell retention-hot' : 'num retention-cell'}
                      style={{ background: `color-mix(in srgb, var(--chart-heat) ${Math.round(ratio * 85) + (cell.count ? 8 : 0)}%, transparent)` }}
                      title={`${formatValue(cell.count)} of ${formatValue(size)} persons`}
                      data-count={cell.count}
                    >
                      {onDrill ? (
                        <button type="button" className="link-button" onClick={() => open(row, k)} aria-label={`${text} (${cell.count} persons): show persons`}>
                          {text}
                        </button>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
