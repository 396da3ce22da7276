/**
 * Free/busy of on-prem mailboxes through EWS GetUserAvailability, in the same shape as the Graph port's
 * `getSchedule` call so callers need not know which service answered.
 *
 * Algorithm: one request with a FreeBusy view per attendee; the merged per-interval string is built here from the
 * returned calendar events rather than asking for the FreeBusyMerged view: the server's MergedFreeBusy digits
 * differ from Graph's past 3 (Learn, "MergedFreeBusy": 4 is "no data" there, "working elsewhere" in Graph's
 * availabilityView), and the events also give the busy spans. Each interval takes the strongest status of the events overlapping it
 * (oof > busy > workingElsewhere > tentative > free); digits are Graph's (0 free … 4 working elsewhere).
 * An attendee the server reports an error for (e.g. ErrorMailRecipientNotFound) is left out of the answer, which
 * callers report as "no free/busy information for this address". Exchange 2007 SP1 needs the body's TimeZone,
 * which the library omits (availability-zone.ts). The call is an idempotent read (retried in the run).
 */
import {
  AttendeeInfo,
  AvailabilityData,
  AvailabilityOptions,
  DateTime,
  DayOfTheWeek,
  FreeBusyViewType,
  LegacyFreeBusyStatus,
  ServiceResult,
  TimeWindow,
} from "ews-javascript-api";
import type { FreeBusy } from "../graph/index.js";
import { availabilityRequestWithTimeZone, serializableTimeZone } from "./availability-zone.js";
import type { EwsSession } from "./session.js";

/** The zone ews-javascript-api speaks (moment's guess of the host zone, which is Intl's). */
const hostZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export interface EwsFreeBusy extends FreeBusy {
  /** The mailbox owner's working hours (minutes after midnight in the owner's zone), when the server sent them. */
  workingHours?: { days: string[]; startMinutes: number; endMinutes: number; timeZone: string };
}

export type FreeBusyCall = (
  addresses: readonly string[],
  startUtc: string,
  endUtc: string,
  intervalMinutes?: number,
) => Promise<EwsFreeBusy[]>;

const STATUS: Record<number, { name: string; digit: string; rank: number }> = {
  [LegacyFreeBusyStatus.Free]: { name: "free", digit: "0", rank: 0 },
  [LegacyFreeBusyStatus.Tentative]: { name: "tentative", digit: "1", rank: 1 },
  [LegacyFreeBusyStatus.WorkingElsewhere]: { name: "workingElsewhere", digit: "4", rank: 2 },
  [LegacyFreeBusyStatus.Busy]: { name: "busy", digit: "2", rank: 3 },
  [LegacyFreeBusyStatus.OOF]: { name: "oof", digit: "3", rank: 4 },
};
const UNKNOWN = { name: "unknown", digit: "0", rank: -1 };

/** `availabilityView` over [start, end) in `intervalMinutes` slots from the busy spans. */
export function mergeFreeBusy(
  busy: FreeBusy["busy"],
  startUtc: string,
  endUtc: string,
  intervalMinutes: number,
): string {
  const from = Date.parse(startUtc);
  const step = intervalMinutes * 60_000;
  const slots = Math.ceil((Date.parse(endUtc) - from) / step);
  return Array.from({ length: slots }, (_, index) => {
    const slotStart = from + index * step;
    let strongest = STATUS[LegacyFreeBusyStatus.Free] ?? UNKNOWN;
    for (const span of busy) {
      if (Date.parse(span.start) >= slotStart + step || Date.parse(span.end) <= slotStart) continue;
      const status = Object.values(STATUS).find((candidate) => candidate.name === span.status) ?? UNKNOWN;
      if (status.rank > strongest.rank) strongest = status;
    }
    return strongest.digit;
  }).join("");
}

const DAY = 86_400_000;

const utc = (value: DateTime) => new Date(value.TotalMilliSeconds).toISOString().replace(/\.\d{3}Z$/, "Z");

export function ewsFreeBusy(session: EwsSession): FreeBusyCall {
  return async (addresses, startUtc, endUtc, intervalMinutes = 30) => {
    const options = new AvailabilityOptions();
    options.RequestedFreeBusyView = FreeBusyViewType.FreeBusy;
    // ews-javascript-api, like the EWS Managed API, writes the TimeWindow as dates only (midnight to midnight),
    // formatted in the host's local zone: ask for the whole days around the window plus one on each side (so a
    // host zone west or east of UTC cannot cut the window short) and keep the events that overlap it.
    const from = Date.parse(startUtc);
    const to = Date.parse(endUtc);
    const window = new TimeWindow(
      new DateTime((Math.floor(from / DAY) - 1) * DAY),
      new DateTime((Math.ceil(to / DAY) + 1) * DAY),
    );
    const attendees = addresses.map((address) => new AttendeeInfo(address));
    const answer = await session.read((service) => {
      if (!session.is2007) return service.GetUserAvailability(attendees, window, AvailabilityData.FreeBusy, options);
      const zone = serializableTimeZone(hostZone(), new Date(from).getUTCFullYear());
      const request = availabilityRequestWithTimeZone(service, zone);
      request.Attendees = attendees;
      request.TimeWindow = window;
      request.RequestedData = AvailabilityData.FreeBusy;
      request.Options = options;
      return request.Execute();
    });
    const schedules: EwsFreeBusy[] = [];
    answer.AttendeesAvailability.Responses.forEach((availability, index) => {
      const address = addresses[index];
      if (address === undefined || availability.Result === ServiceResult.Error) return;
      const busy = availability.CalendarEvents.map((event) => ({
        status: (STATUS[event.FreeBusyStatus] ?? UNKNOWN).name,
        start: utc(event.StartTime),
        end: utc(event.EndTime),
      })).filter((span) => span.status !== "free" && Date.parse(span.start) < to && Date.parse(span.end) > from);
      const hours = availability.WorkingHours;
      schedules.push({
        address,
        availabilityView: mergeFreeBusy(busy, startUtc, endUtc, intervalMinutes),
        busy,
        ...(hours
          ? {
              workingHours: {
                days: hours.DaysOfTheWeek.map((day) => DayOfTheWeek[day] ?? String(day)),
                startMinutes: hours.StartTime.TotalMinutes,
                endMinutes: hours.EndTime.TotalMinutes,
                timeZone: hours.TimeZone?.Id ?? "UTC",
              },
            }
          : {}),
      });
    });
    return schedules;
  };
}
