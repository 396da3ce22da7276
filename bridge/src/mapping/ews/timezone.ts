/**
 * Exchange 2007's `MeetingTimeZone` ⇄ IANA zones (2010+ items name their zone by Windows id instead).
 *
 * Writing: the rule is derived from the IANA zone's real transitions in the series' first year (luxon, ICU data):
 * the two distinct UTC offsets of that year give the standard (smaller) and daylight offsets, and each transition
 * becomes a Windows-style "n-th weekday of month at local time before the change" rule. Offsets are xs:durations of
 * the Windows bias, which counts the other way round (UTC+01:00 → BaseOffset `-PT1H`, daylight Offset `-PT1H`).
 *
 * Reading: the `TimeZoneName` maps through CLDR when it is a Windows id; 2007 servers may send display names instead,
 * and then the zone is the fixed offset of BaseOffset (instants stay exact because Start/End come in UTC; only
 * DST-aware occurrence keys of a series would suffer, documented in FIELDS.md).
 */
import { DateTime, FixedOffsetZone } from "luxon";
import { ianaFromWindows, remembered, windowsFromIana } from "../../model/index.js";
import { MappingError } from "../errors.js";
import type { EwsDayOfWeek, EwsDayOfWeekIndex, EwsMeetingTimeZone, EwsMonth, EwsTimeChange } from "./wire.js";

export const EWS_DAYS: EwsDayOfWeek[] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const EWS_INDEXES: EwsDayOfWeekIndex[] = ["First", "Second", "Third", "Fourth", "Last"];
export const EWS_MONTHS: EwsMonth[] = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Minutes → xs:duration (`-PT5H30M`, `PT0M`). */
export function durationFromMinutes(minutes: number): string {
  const sign = minutes < 0 ? "-" : "";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  if (hours === 0 && rest === 0) return "PT0M";
  return `${sign}PT${hours > 0 ? `${hours}H` : ""}${rest > 0 ? `${rest}M` : ""}`;
}

/** xs:duration (days, hours, minutes) → minutes. */
export function minutesFromDuration(field: string, duration: string): number {
  const match = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?$/.exec(duration);
  if (match === null) throw new MappingError(field, duration, "expected an xs:duration");
  const minutes = Number(match[2] ?? 0) * 1440 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
  return match[1] === "-" ? -minutes : minutes;
}

/**
 * Every instant in `year` at which the zone's UTC offset changes, to the minute: month starts are probed, and a
 * month whose end offset differs is bisected (zones change at most once a month).
 */
function transitionsOf(zone: string, year: number): DateTime<true>[] {
  const changes: DateTime<true>[] = [];
  const offsetAt = (millis: number) => DateTime.fromMillis(millis, { zone }).offset;
  for (let month = 1; month <= 12; month += 1) {
    let low = DateTime.fromObject({ year, month, day: 1 }, { zone }).toMillis();
    let high = DateTime.fromObject({ year, month, day: 1 }, { zone }).plus({ months: 1 }).toMillis();
    const before = offsetAt(low);
    if (offsetAt(high) === before) continue;
    while (high - low > 60_000) {
      const middle = Math.floor((low + high) / 2 / 60_000) * 60_000;
      if (offsetAt(middle) === before) low = middle;
      else high = middle;
    }
    changes.push(DateTime.fromMillis(high, { zone }) as DateTime<true>);
  }
  return changes;
}

function changeRule(change: DateTime<true>, biasOffsetMinutes: number, offsetBefore: number): EwsTimeChange {
  const localBefore = change.toUTC().plus({ minutes: offsetBefore });
  const lastOfMonth = localBefore.plus({ days: 7 }).month !== localBefore.month;
  return {
    Offset: durationFromMinutes(biasOffsetMinutes),
    RelativeYearlyRecurrence: {
      DaysOfWeek: EWS_DAYS[localBefore.weekday - 1] ?? "Sunday",
      DayOfWeekIndex: lastOfMonth ? "Last" : (EWS_INDEXES[Math.ceil(localBefore.day / 7) - 1] ?? "First"),
      Month: EWS_MONTHS[localBefore.month - 1] ?? "January",
    },
    Time: localBefore.toFormat("HH:mm:ss"),
  };
}

/**
 * The 2007 `MeetingTimeZone` for an IANA zone, with the DST rule in force in `year`. Finding the year's transitions
 * takes a few hundred zone lookups and every event written to (or compared for) a 2007 server asks, so the answer
 * is remembered per zone and year, frozen since callers share it.
 */
export function meetingTimeZoneFor(zone: string, year: number): EwsMeetingTimeZone {
  return meetingTimeZones(`${year} ${zone}`);
}

const meetingTimeZones = remembered((key: string): EwsMeetingTimeZone => {
  const separator = key.indexOf(" ");
  const meeting = computeMeetingTimeZone(key.slice(separator + 1), Number(key.slice(0, separator)));
  for (const rule of [meeting.Standard, meeting.Daylight]) {
    if (rule !== undefined) Object.freeze(Object.freeze(rule).RelativeYearlyRecurrence);
  }
  return Object.freeze(meeting);
});

function computeMeetingTimeZone(zone: string, year: number): EwsMeetingTimeZone {
  const name = windowsFromIana(zone) ?? zone;
  const changes = transitionsOf(zone, year);
  const offsets =
    changes.length === 0 ? [DateTime.fromObject({ year }, { zone }).offset] : changes.map((change) => change.offset);
  const standard = Math.min(...offsets);
  const daylight = Math.max(...offsets);
  const meeting: EwsMeetingTimeZone = { TimeZoneName: name, BaseOffset: durationFromMinutes(-standard) };
  const toDaylight = changes.find((change) => change.offset === daylight);
  const toStandard = changes.find((change) => change.offset === standard);
  if (standard !== daylight && toDaylight !== undefined && toStandard !== undefined) {
    meeting.Standard = changeRule(toStandard, 0, daylight);
    meeting.Daylight = changeRule(toDaylight, standard - daylight, standard);
  }
  return meeting;
}

/** IANA zone of a `MeetingTimeZone`: CLDR for Windows ids, else the fixed standard offset of BaseOffset. */
export function zoneFromMeetingTimeZone(meeting: EwsMeetingTimeZone): string {
  const named = meeting.TimeZoneName === undefined ? undefined : ianaFromWindows(meeting.TimeZoneName);
  if (named !== undefined) return named;
  // ews-javascript-api writes `<MeetingTimeZone TimeZoneName="UTC"/>` with no BaseOffset (ews.md §10); XSD allows it.
  if (meeting.BaseOffset === undefined) return "UTC";
  const offset = -minutesFromDuration("MeetingTimeZone.BaseOffset", meeting.BaseOffset);
  return FixedOffsetZone.instance(offset).name;
}
