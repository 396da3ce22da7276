/**
 * The one place that translates Windows time-zone names (EWS `TimeZoneDefinition@Id`, Graph `dateTimeTimeZone`)
 * to IANA names and back, using the CLDR windowsZones table shipped in `windows-iana`.
 *
 * Windows → IANA picks CLDR's territory-001 ("golden") zone, the first entry `findIana` returns. IANA → Windows maps
 * every alias (Asia/Calcutta and Asia/Kolkata alike). Graph may also answer with an IANA name when the caller sent
 * `Prefer: outlook.timezone="Europe/Berlin"`, so IANA input is accepted as is.
 */
import { IANAZone } from "luxon";
import { findIana, findIanaAliases, findWindows } from "windows-iana";
import type { IanaZone } from "./primitives.js";

/** Graph's own spelling of UTC in some payloads (e.g. `originalStartTimeZone`). */
const GRAPH_UTC_ALIASES = new Set(["tzone://Microsoft/Utc", "Coordinated Universal Time"]);

/**
 * The CLDR table and the runtime's zone data are fixed, so each answer is computed once per name: these run for every
 * time of every synced event, and a table search (or an Intl formatter built to test a zone) costs far more than the
 * rest of mapping a time. Bounded, since names come from upstream data.
 */
export function remembered<R>(compute: (name: string) => R): (name: string) => R {
  const answers = new Map<string, R>();
  return (name) => {
    if (answers.has(name)) return answers.get(name) as R;
    const answer = compute(name);
    if (answers.size < 1_000) answers.set(name, answer);
    return answer;
  };
}

/** IANA zone for a Windows zone name (or an IANA name passed through); undefined when neither is known. */
export const ianaFromWindows = remembered((name: string): IanaZone | undefined => {
  if (GRAPH_UTC_ALIASES.has(name)) return "UTC";
  const [golden] = findIana(name);
  if (golden !== undefined) return golden === "Etc/UTC" ? "UTC" : golden;
  return IANAZone.isValidZone(name) ? canonicalZone(name) : undefined;
});

/** Windows zone name for an IANA zone; undefined when CLDR has no mapping (e.g. a bare fixed offset). */
export const windowsFromIana = remembered((zone: IanaZone): string | undefined => {
  const [name] = findWindows(zone);
  return name;
});

/**
 * One spelling per zone, so aliases never register as a change: a zone in the same CLDR alias group as the golden
 * zone of its Windows zone becomes that golden zone (Asia/Kolkata → Asia/Calcutta, Etc/UTC → UTC); others are kept.
 */
export const canonicalZone = remembered((zone: IanaZone): IanaZone => {
  const windows = windowsFromIana(zone);
  const golden = windows === undefined ? undefined : findIana(windows)[0];
  if (golden === undefined || !(findIanaAliases(golden) as string[]).includes(zone)) return zone;
  return golden === "Etc/UTC" ? "UTC" : golden;
});
