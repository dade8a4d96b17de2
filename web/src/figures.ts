// Figures as the supervision pages show them, and the China day they are counted by. No
// chart code here: the public ratings page uses these without loading ECharts.
// A rate (0..1) as a percentage with one decimal; '—' where nothing was counted.
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

// Today in China (UTC+8, no daylight saving) as YYYY-MM-DD, and `n` days from a day.
export function chinaToday(): string {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
export function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
