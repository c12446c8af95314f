import { Fragment, useMemo, useState, type ReactNode } from 'react';

/**
 * A table of rows with optional client-side sorting, expandable rows and CSV download.
 *
 *   <DataTable
 *     caption="Query results"
 *     columns={[{ key: 'event', label: 'Event', value: (r) => r.event }]}
 *     rows={rows}
 *     rowKey={(r) => r.id}
 *     sortable                      // header buttons sort the rows given (this page only)
 *     csvFilename="results.csv"     // adds a "Download CSV" button (rows in the order shown)
 *     renderDetail={(r) => <Detail row={r} />}  // adds a toggle per row; the detail spans the row below
 *   />
 *
 * `value` is what sorting compares and CSV writes; `render` (optional) is what the cell shows.
 */
export interface DataColumn<Row> {
  /** Unique among the columns. */
  key: string;
  /** Header text (and the CSV header). */
  label: string;
  value: (row: Row) => unknown;
  render?: (row: Row) => ReactNode;
  /** Right-aligned with tabular digits. */
  numeric?: boolean;
}

export interface DataTableProps<Row> {
  columns: DataColumn<Row>[];
  rows: Row[];
  rowKey: (row: Row, index: number) => string;
  /** The table's accessible name (a visually hidden caption). */
  caption: string;
  sortable?: boolean;
  csvFilename?: string;
  renderDetail?: (row: Row) => ReactNode;
  /** e.g. to highlight rows that just arrived. */
  rowClassName?: (row: Row) => string | undefined;
  /** Shown in the body when there are no rows. */
  empty?: ReactNode;
  /** Text of each row's expand toggle, for screen readers ("Show details of …"). */
  rowLabel?: (row: Row) => string;
}

type Sort = { key: string; direction: 'ascending' | 'descending' } | null;

/** Orders any two cell values: numbers as numbers, everything else as text (numeric-aware); empty last. */
export function compareValues(a: unknown, b: unknown): number {
  const aEmpty = a === null || a === undefined || a === '';
  const bEmpty = b === null || b === undefined || b === '';
  if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

/** A value as text: objects and arrays as JSON, null as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180 CSV (CRLF line ends; fields with quotes, commas, line breaks or edge spaces quoted). */
export function toCsv<Row>(columns: DataColumn<Row>[], rows: Row[]): string {
  const field = (text: string) => (/[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [columns.map((c) => field(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(cellText(c.value(row)))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next task: the download has started by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** What a cell shows when the column has no `render`: null marked as such, objects as JSON. */
export function defaultCell(value: unknown): ReactNode {
  if (value === null || value === undefined) return <span className="muted">null</span>;
  return cellText(value);
}

export function DataTable<Row>({ columns, rows, rowKey, caption, sortable, csvFilename, renderDetail, rowClassName, empty, rowLabel }: DataTableProps<Row>) {
  const [sort, setSort] = useState<Sort>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());

  const shown = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!column) return rows;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    // Empty values stay last in both directions.
    return [...rows].sort((a, b) => {
      const va = column.value(a);
      const vb = column.value(b);
      const empties = compareValues(va, vb);
      const aEmpty = va === null || va === undefined || va === '';
      const bEmpty = vb === null || vb === undefined || vb === '';
      return aEmpty || bEmpty ? empties : sign * empties;
    });
  }, [rows, columns, sort]);

  function toggleSort(key: string) {
    setSort((s) => (s?.key === key ? { key, direction: s.direction === 'ascending' ? 'descending' : 'ascending' } : { key, direction: 'ascending' }));
  }

  function toggleOpen(key: string) {
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }

  const span = columns.length + (renderDetail ? 1 : 0);
  return (
    <div className="data-table">
      {csvFilename && (
        <div className="data-table-toolbar">
          <button type="button" className="button button-small" onClick={() => downloadText(csvFilename, toCsv(columns, shown))} disabled={rows.length === 0}>
            Download CSV
          </button>
        </div>
      )}
      <div className="data-table-scroll">
        <table className="table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {renderDetail && (
                <th scope="col" className="data-table-toggle">
                  <span className="visually-hidden">Details</span>
                </th>
              )}
              {columns.map((c) => (
                <th key={c.key} scope="col" className={c.numeric ? 'numeric' : undefined} aria-sort={sortable ? (sort?.key === c.key ? sort.direction : 'none') : undefined}>
                  {sortable ? (
                    <button type="button" className="sort-button" onClick={() => toggleSort(c.key)}>
                      {c.label}
                      <span aria-hidden="true" className="sort-mark">
                        {sort?.key === c.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && empty !== undefined && (
              <tr>
                <td colSpan={span} className="data-table-empty">
                  {empty}
                </td>
              </tr>
            )}
            {shown.map((row, index) => {
              const key = rowKey(row, index);
              const isOpen = open.has(key);
              const detailId = `detail-${key}`;
              return (
                <Fragment key={key}>
                  <tr className={rowClassName?.(row)} data-row-key={key}>
                    {renderDetail && (
                      <td className="data-table-toggle">
                        <button
                          type="button"
                          className="expand-button"
                          aria-expanded={isOpen}
                          aria-controls={isOpen ? detailId : undefined}
                          aria-label={`${isOpen ? 'Hide' : 'Show'} details${rowLabel ? ` of ${rowLabel(row)}` : ''}`}
                          onClick={() => toggleOpen(key)}
                        >
                          <span aria-hidden="true">{isOpen ? '▾' : '▸'}</span>
                        </button>
                      </td>
                    )}
                    {columns.map((c) => (
                      <td key={c.key} className={c.numeric ? 'numeric' : undefined}>
                        {c.render ? c.render(row) : defaultCell(c.value(row))}
                      </td>
                    ))}
                  </tr>
                  {renderDetail && isOpen && (
                    <tr className="data-table-detail" id={detailId}>
                      <td colSpan={span}>{renderDetail(row)}</td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
