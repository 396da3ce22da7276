/** Timestamps are stored as ISO-8601 UTC text on every engine; one helper so they all sort and compare alike. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function isoNow(clock: Clock): string {
  return clock().toISOString();
}
