/**
 * "1h 20m", "32m", "1m 30s", "45s": the largest unit and the next one when it is not zero, as
 * PostHog shows conversion times.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const units: Array<[number, string]> = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  const parts = [`${units[first]![0]}${units[first]![1]}`];
  const next = units[first + 1];
  if (next && next[0] > 0) parts.push(`${next[0]}${next[1]}`);
  return parts.join(' ');
}
