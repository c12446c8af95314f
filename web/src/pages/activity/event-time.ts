const formats = new Map<string, Intl.DateTimeFormat>();

/** "Nov 23, 14:03:22" in the project's timezone (the year only when it is not this year). */
export function formatEventTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  const thisYear = new Date().getFullYear() === date.getFullYear();
  const key = `${timeZone}:${thisYear}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, {
      year: thisYear ? undefined : 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    formats.set(key, format);
  }
  return format.format(date);
}

/** "2024-05-01 12:00:00.123 UTC": what the hover shows, unambiguous. */
export function utcLabel(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', ' UTC');
}
