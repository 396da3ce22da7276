/**
 * Graph URL paths: `name('key')` segments become `name/key`, and segment names are matched case-insensitively as
 * the service does (`/me/mailfolders/…` works like `/me/mailFolders/…`), so handlers see one canonical spelling.
 */
const CANONICAL = [
  "users",
  "me",
  "contactFolders",
  "contacts",
  "calendars",
  "calendar",
  "events",
  "calendarView",
  "delta",
  "instances",
  "todo",
  "lists",
  "tasks",
  "mailFolders",
  "messages",
  "move",
  "copy",
  "attachments",
  "extensions",
  "sendMail",
  "translateExchangeIds",
  "getSchedule",
  "findMeetingTimes",
  "subscriptions",
  "reauthorize",
  "$batch",
  "cancel",
];
const BY_LOWER = new Map(CANONICAL.map((name) => [name.toLowerCase(), name]));

export function canonicalSegments(path: string): string[] {
  return path
    .replace(/([A-Za-z]+)\('([^']*)'\)/g, (_m, name: string, key: string) => `${name}/${encodeURIComponent(key)}`)
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const decoded = decodeURIComponent(segment);
      return BY_LOWER.get(decoded.toLowerCase()) ?? decoded;
    });
}

/** `GET /users/{id}/contactFolders/{id}/contacts/delta`: the name calls are counted and faults matched by. */
export function endpointName(method: string, path: string): string {
  return `${method} /${canonicalSegments(path)
    .map((segment) => (BY_LOWER.has(segment.toLowerCase()) ? segment : "{id}"))
    .join("/")}`;
}
