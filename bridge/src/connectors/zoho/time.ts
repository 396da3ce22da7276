/** Zoho DateTimes on the wire: ISO 8601 with an offset and one-second precision (zoho-crm-api.md §8.5). */
import { ConnectorError } from "../errors.js";

/** Epoch seconds of a Zoho DateTime (`2024-05-01T10:00:00+05:30`). */
export function epochSeconds(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ConnectorError({ kind: "transient", message: `unreadable Zoho time ${value}` });
  return Math.floor(ms / 1000);
}

/** Zoho's header format: ISO 8601 with offset, no milliseconds. */
export function zohoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}
