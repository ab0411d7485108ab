/** A session's time as words, in one zone, for emails. */
export function formatSession(startsAt: number, endsAt: number, timeZone: string): string {
  const day = new Date(startsAt).toLocaleDateString('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  const time = (ms: number) =>
    new Date(ms).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time(startsAt)}–${time(endsAt)} (${timeZone})`;
}
