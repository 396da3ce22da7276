/**
 * The one logger: pino JSON lines. Secrets never reach the output — every field name that can carry one is redacted
 * at the top level and up to two levels deep (pino's redaction takes explicit paths, `*` matches one level).
 */
import { type DestinationStream, type Logger, pino } from "pino";

const SECRET_FIELDS = [
  "password",
  "newPassword",
  "refreshToken",
  "refresh_token",
  "accessToken",
  "access_token",
  "clientSecret",
  "client_secret",
  "secret",
  "token",
  "tokenCache",
  "authorization",
  "cookie",
  "code",
  "idToken",
  "id_token",
];

const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
];

export type { Logger };

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? process.env.LOG_LEVEL ?? "info", redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
    options.destination,
  );
}
