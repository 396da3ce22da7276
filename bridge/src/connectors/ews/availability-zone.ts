/**
 * GetUserAvailability's body `TimeZone` for Exchange 2007 SP1.
 *
 * The 2007 SP1 schema requires `t:TimeZone` (SerializableTimeZone) as the request's first element (messages.xsd
 * GetUserAvailabilityRequestType; 2010 made it optional and reads TimeZoneContext instead), so a request without it
 * fails schema validation. ews-javascript-api 0.15.3 leaves it out (its LegacyAvailabilityTimeZone is a stub), so
 * this request subclass writes it. The zone is the one the library itself speaks — the host's: it writes the
 * TimeWindow as host-local dates and reads the answer's offset-less times as host-local — expressed the way
 * Windows TIME_ZONE_INFORMATION does: UTC = local + Bias (+ DaylightTime.Bias in summer), each change on the
 * DayOrder-th (5 = last) weekday of a month at a local time. A zone without DST gets the EWS Managed API's dummy
 * pair of zero-delta changes.
 */
import * as ews from "ews-javascript-api";
import { DateTime } from "luxon";

interface XmlWriter {
  WriteStartElement(namespace: ews.XmlNamespace, name: string): void;
  WriteElementValue(namespace: ews.XmlNamespace, name: string, value: string | number): void;
  WriteEndElement(): void;
}

/** The library's request class, whose typings it does not publish. */
interface AvailabilityRequest {
  Attendees: ews.AttendeeInfo[];
  TimeWindow: ews.TimeWindow;
  RequestedData: ews.AvailabilityData;
  Options: ews.AvailabilityOptions;
  Execute(): Promise<ews.GetUserAvailabilityResults>;
  WriteElementsToXml(writer: XmlWriter): void;
}
type AvailabilityRequestClass = new (service: ews.ExchangeService) => AvailabilityRequest;

const RequestBase = (ews as unknown as { GetUserAvailabilityRequest: AvailabilityRequestClass })
  .GetUserAvailabilityRequest;

interface ZoneChange {
  /** Minutes added to Bias while this change is in force. */
  bias: number;
  time: string;
  dayOrder: number;
  month: number;
  dayOfWeek: string;
}

export interface SerializableTimeZone {
  bias: number;
  standard: ZoneChange;
  daylight: ZoneChange;
}

const HOUR = 3_600_000;

/** The change to `toOffset` that happens in `year` (first instant with the new offset), as a yearly rule. */
function changeTo(zone: string, year: number, toOffset: number, bias: number): ZoneChange | undefined {
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += 24 * HOUR) {
    if (offsetAt(day) === toOffset || offsetAt(day + 24 * HOUR) !== toOffset) continue;
    let instant = day;
    while (offsetAt(instant) !== toOffset) instant += HOUR / 4;
    // The rule is stated in the wall-clock time in force before the change.
    const local = DateTime.fromMillis(instant + offsetAt(instant - 1) * 60_000, { zone: "UTC" });
    const lastWeek = local.day + 7 > (local.daysInMonth ?? 31);
    return {
      bias,
      time: local.toFormat("HH:mm:ss"),
      dayOrder: lastWeek ? 5 : Math.ceil(local.day / 7),
      month: local.month,
      dayOfWeek: local.toFormat("cccc"),
    };
  }
  return undefined;
}

/** The IANA zone's rules in `year` as a SerializableTimeZone. */
export function serializableTimeZone(zone: string, year: number): SerializableTimeZone {
  const january = DateTime.fromObject({ year, month: 1, day: 1 }, { zone }).offset;
  const july = DateTime.fromObject({ year, month: 7, day: 1 }, { zone }).offset;
  const standardOffset = Math.min(january, july);
  const daylightOffset = Math.max(january, july);
  const daylight = changeTo(zone, year, daylightOffset, standardOffset - daylightOffset);
  const standard = changeTo(zone, year, standardOffset, 0);
  if (standardOffset === daylightOffset || !daylight || !standard) {
    return {
      bias: -standardOffset,
      standard: { bias: 0, time: "02:00:00", dayOrder: 1, month: 3, dayOfWeek: "Sunday" },
      daylight: { bias: 0, time: "02:00:00", dayOrder: 1, month: 10, dayOfWeek: "Sunday" },
    };
  }
  return { bias: -standardOffset, standard, daylight };
}

function writeChange(writer: XmlWriter, name: string, change: ZoneChange): void {
  const types = ews.XmlNamespace.Types;
  writer.WriteStartElement(types, name);
  writer.WriteElementValue(types, "Bias", change.bias);
  writer.WriteElementValue(types, "Time", change.time);
  writer.WriteElementValue(types, "DayOrder", change.dayOrder);
  writer.WriteElementValue(types, "Month", change.month);
  writer.WriteElementValue(types, "DayOfWeek", change.dayOfWeek);
  writer.WriteEndElement();
}

/** GetUserAvailability for Exchange 2007 SP1: the library's request with the body TimeZone of `zone` first. */
export function availabilityRequestWithTimeZone(
  service: ews.ExchangeService,
  zone: SerializableTimeZone,
): AvailabilityRequest {
  class WithTimeZone extends RequestBase {
    override WriteElementsToXml(writer: XmlWriter): void {
      writer.WriteStartElement(ews.XmlNamespace.Types, "TimeZone");
      writer.WriteElementValue(ews.XmlNamespace.Types, "Bias", zone.bias);
      writeChange(writer, "StandardTime", zone.standard);
      writeChange(writer, "DaylightTime", zone.daylight);
      writer.WriteEndElement();
      super.WriteElementsToXml(writer);
    }
  }
  return new WithTimeZone(service);
}
