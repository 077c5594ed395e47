// Small text helpers for the copy the workflow composes itself (SLA reminders and escalations).

/** Mustache-safe: a stage name quoted into a text that is rendered as a template. */
export function literal(text: string): string {
  return text.replaceAll('{{', '{ {').replaceAll('}}', '} }');
}

/** "3 days", "2 hours", "90 seconds": for reminders. */
export function humanDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${Math.round(ms / 1000)} seconds`;
}
