/** Per-query ClickHouse limits. */
export interface QuerySettings {
  maxExecutionSeconds?: number;
  maxMemoryBytes?: number;
}

/**
 * Settings every compiled query runs with. `readonly=1` comes last: it forbids writes, table
 * functions that reach files or other servers, and any later change of these settings.
 */
export function settingsClause(options: QuerySettings, { readonly = true }: { readonly?: boolean } = {}): string {
  const seconds = Math.max(1, Math.trunc(options.maxExecutionSeconds ?? 60));
  const memory = Math.max(16 * 1024 * 1024, Math.trunc(options.maxMemoryBytes ?? 4 * 1024 ** 3));
  return [
    `SETTINGS max_execution_time=${seconds}`,
    `max_memory_usage=${memory}`,
    'max_ast_elements=4000000',
    'max_expanded_ast_elements=4000000',
    'output_format_json_quote_64bit_integers=0',
    "date_time_output_format='iso'",
    ...(readonly ? ['readonly=1'] : []),
  ].join(', ');
}

