/**
 * Calendar: ews-javascript-api `Appointment` ⇄ the XSD-shaped `EwsCalendarItem` of `mapping/ews` ⇄ canonical.
 *
 * Recurring masters carry their pattern and range; modified and deleted occurrences are read from the master
 * (ModifiedOccurrences / DeletedOccurrences) and written through the occurrences themselves (occurrences.ts). Time zones: 2010+ write StartTimeZone/EndTimeZone by Windows id;
 * in 2007 mode the library writes MeetingTimeZone from StartTimeZone itself (ews.md §10). Invitations and updates
 * are sent only for requests with `notifyAttendees` (else SendToNone); cancellations only when the port is created
 * with `sendInvitations`.
 */
import {
  Appointment,
  AppointmentSchema,
  BasePropertySet,
  BodyType,
  DateTime,
  DayOfTheWeek,
  DayOfTheWeekIndex,
  type ExchangeService,
  ItemSchema,
  MeetingResponseType,
  MessageBody,
  Month,
  PropertySet,
  Recurrence,
  SendCancellationsMode,
  SendInvitationsMode,
  SendInvitationsOrCancellationsMode,
  Sensitivity,
  StringList,
  TimeZoneInfo,
  WellKnownFolderName,
} from "ews-javascript-api";
import { eventFromEws, eventToEws } from "../../mapping/ews/event.js";
import type { EwsAttendee, EwsCalendarItem, EwsRecurrence } from "../../mapping/ews/wire.js";
import { compact } from "../../mapping/values.js";
import type { CalendarEvent } from "../../model/index.js";
import { escapedWire } from "./escape.js";
import { type ExceptionDetails, keepsPattern, loadExceptionDetails, writeExceptions } from "./occurrences.js";
import { optionalProperty } from "./properties.js";
import type { ItemCodec } from "./record-port.js";
import type { EwsSession } from "./session.js";

type Pattern = InstanceType<(typeof Recurrence)["WeeklyPattern"]> | Recurrence;
/**
 * What GetItem loads: exactly what wireFromItem reads (and `apply` compares before an update). The first-class set
 * would have the library turn every other element into objects — a dozen more dates through moment per item.
 * StartTimeZone is asked as MeetingTimeZone of a 2007 server by the library itself (StartTimeZonePropertyDefinition).
 */
const PROPERTIES = [
  AppointmentSchema.Recurrence,
  AppointmentSchema.ModifiedOccurrences,
  AppointmentSchema.DeletedOccurrences,
  AppointmentSchema.StartTimeZone,
  AppointmentSchema.Organizer,
  ItemSchema.Sensitivity,
  ItemSchema.Subject,
  AppointmentSchema.Location,
  AppointmentSchema.Start,
  AppointmentSchema.End,
  AppointmentSchema.IsAllDayEvent,
  AppointmentSchema.ICalUid,
  ItemSchema.Categories,
  ItemSchema.IsReminderSet,
  ItemSchema.ReminderMinutesBeforeStart,
  AppointmentSchema.RequiredAttendees,
  AppointmentSchema.OptionalAttendees,
  AppointmentSchema.Resources,
  ItemSchema.Body,
];
const iso = (value: DateTime | undefined) => value?.ToISOString();
const dateOnly = (value: DateTime | undefined) => (value ? `${value.ToISOString().slice(0, 10)}Z` : "");

function recurrenceFromItem(pattern: Pattern): EwsRecurrence | undefined {
  const range: EwsRecurrence = {};
  const start = dateOnly(pattern.StartDate);
  if (pattern.NumberOfOccurrences)
    range.NumberedRecurrence = { StartDate: start, NumberOfOccurrences: Number(pattern.NumberOfOccurrences) };
  else if (pattern.EndDate) range.EndDateRecurrence = { StartDate: start, EndDate: dateOnly(pattern.EndDate) };
  else range.NoEndRecurrence = { StartDate: start };
  if (pattern instanceof Recurrence.DailyPattern)
    return { ...range, DailyRecurrence: { Interval: Number(pattern.Interval) } };
  if (pattern instanceof Recurrence.WeeklyPattern) {
    const days = pattern.DaysOfTheWeek.GetEnumerator()
      .map((d) => DayOfTheWeek[d])
      .join(" ");
    return { ...range, WeeklyRecurrence: { Interval: Number(pattern.Interval), DaysOfWeek: days } };
  }
  if (pattern instanceof Recurrence.MonthlyPattern) {
    return {
      ...range,
      AbsoluteMonthlyRecurrence: { Interval: Number(pattern.Interval), DayOfMonth: Number(pattern.DayOfMonth) },
    };
  }
  if (pattern instanceof Recurrence.RelativeMonthlyPattern) {
    return {
      ...range,
      RelativeMonthlyRecurrence: {
        Interval: Number(pattern.Interval),
        DaysOfWeek: DayOfTheWeek[pattern.DayOfTheWeek],
        DayOfWeekIndex: DayOfTheWeekIndex[pattern.DayOfTheWeekIndex] as "First",
      },
    };
  }
  if (pattern instanceof Recurrence.YearlyPattern) {
    return {
      ...range,
      AbsoluteYearlyRecurrence: { DayOfMonth: Number(pattern.DayOfMonth), Month: Month[pattern.Month] as "January" },
    };
  }
  if (pattern instanceof Recurrence.RelativeYearlyPattern) {
    return {
      ...range,
      RelativeYearlyRecurrence: {
        DaysOfWeek: DayOfTheWeek[pattern.DayOfTheWeek],
        DayOfWeekIndex: DayOfTheWeekIndex[pattern.DayOfTheWeekIndex] as "First",
        Month: Month[pattern.Month] as "January",
      },
    };
  }
  return undefined;
}

function recurrenceToItem(wire: EwsRecurrence): Recurrence {
  let pattern: Recurrence;
  const day = (name: string) => DayOfTheWeek[name as keyof typeof DayOfTheWeek];
  if (wire.DailyRecurrence) {
    const daily = new Recurrence.DailyPattern();
    daily.Interval = wire.DailyRecurrence.Interval;
    pattern = daily;
  } else if (wire.WeeklyRecurrence) {
    const weekly = new Recurrence.WeeklyPattern();
    weekly.Interval = wire.WeeklyRecurrence.Interval;
    for (const name of wire.WeeklyRecurrence.DaysOfWeek.split(" ")) weekly.DaysOfTheWeek.Add(day(name));
    pattern = weekly;
  } else if (wire.AbsoluteMonthlyRecurrence) {
    const monthly = new Recurrence.MonthlyPattern();
    monthly.Interval = wire.AbsoluteMonthlyRecurrence.Interval;
    monthly.DayOfMonth = wire.AbsoluteMonthlyRecurrence.DayOfMonth;
    pattern = monthly;
  } else if (wire.RelativeMonthlyRecurrence) {
    const relative = new Recurrence.RelativeMonthlyPattern();
    relative.Interval = wire.RelativeMonthlyRecurrence.Interval;
    relative.DayOfTheWeek = day(wire.RelativeMonthlyRecurrence.DaysOfWeek);
    relative.DayOfTheWeekIndex = DayOfTheWeekIndex[wire.RelativeMonthlyRecurrence.DayOfWeekIndex];
    pattern = relative;
  } else if (wire.AbsoluteYearlyRecurrence) {
    const yearly = new Recurrence.YearlyPattern();
    yearly.DayOfMonth = wire.AbsoluteYearlyRecurrence.DayOfMonth;
    yearly.Month = Month[wire.AbsoluteYearlyRecurrence.Month];
    pattern = yearly;
  } else if (wire.RelativeYearlyRecurrence) {
    const relative = new Recurrence.RelativeYearlyPattern();
    relative.DayOfTheWeek = day(wire.RelativeYearlyRecurrence.DaysOfWeek);
    relative.DayOfTheWeekIndex = DayOfTheWeekIndex[wire.RelativeYearlyRecurrence.DayOfWeekIndex];
    relative.Month = Month[wire.RelativeYearlyRecurrence.Month];
    pattern = relative;
  } else throw new Error("recurrence without a pattern");
  const range = wire.NumberedRecurrence ?? wire.EndDateRecurrence ?? wire.NoEndRecurrence;
  pattern.StartDate = new DateTime(Date.parse((range?.StartDate ?? "").replace(/Z$/, "")));
  if (wire.NumberedRecurrence) pattern.NumberOfOccurrences = wire.NumberedRecurrence.NumberOfOccurrences;
  if (wire.EndDateRecurrence)
    pattern.EndDate = new DateTime(Date.parse(wire.EndDateRecurrence.EndDate.replace(/Z$/, "")));
  return pattern;
}

function attendees(collection: Appointment["RequiredAttendees"] | undefined): EwsAttendee[] {
  return (collection?.GetEnumerator() ?? []).map((a) => ({
    Mailbox: { EmailAddress: a.Address, ...(a.Name ? { Name: a.Name } : {}) },
    ResponseType: MeetingResponseType[a.ResponseType] as EwsAttendee["ResponseType"],
  }));
}

/** The item as XSD-shaped wire; exceptions get Subject/Location from `details` where they differ from the master. */
function wireFromItem(item: Appointment, details: ExceptionDetails = new Map()): EwsCalendarItem {
  const recurrence = optionalProperty<Recurrence>(item, AppointmentSchema.Recurrence);
  const modified = optionalProperty<Appointment["ModifiedOccurrences"]>(item, AppointmentSchema.ModifiedOccurrences);
  const deleted = optionalProperty<Appointment["DeletedOccurrences"]>(item, AppointmentSchema.DeletedOccurrences);
  const zone = optionalProperty<TimeZoneInfo>(item, AppointmentSchema.StartTimeZone);
  const organizer = optionalProperty<Appointment["Organizer"]>(item, AppointmentSchema.Organizer);
  const get = <V>(definition: Parameters<typeof optionalProperty>[1]) => optionalProperty<V>(item, definition);
  const sensitivity = get<Sensitivity>(ItemSchema.Sensitivity);
  const subject = get<string>(ItemSchema.Subject) ?? "";
  const location = get<string>(AppointmentSchema.Location) ?? "";
  const differing = (value: string | undefined, master: string) => (value !== master ? value : undefined);
  const wire: EwsCalendarItem = {
    Subject: subject,
    Start: iso(get<DateTime>(AppointmentSchema.Start)),
    End: iso(get<DateTime>(AppointmentSchema.End)),
    IsAllDayEvent: get<boolean>(AppointmentSchema.IsAllDayEvent) ?? false,
    Location: location || undefined,
    UID: get<string>(AppointmentSchema.ICalUid),
    Categories: get<StringList>(ItemSchema.Categories)?.GetEnumerator() ?? [],
    Sensitivity: sensitivity === undefined ? undefined : (Sensitivity[sensitivity] as EwsCalendarItem["Sensitivity"]),
    ReminderIsSet: get<boolean>(ItemSchema.IsReminderSet),
    ReminderMinutesBeforeStart: get<number>(ItemSchema.ReminderMinutesBeforeStart),
    RequiredAttendees: attendees(get(AppointmentSchema.RequiredAttendees)),
    OptionalAttendees: attendees(get(AppointmentSchema.OptionalAttendees)),
    Resources: attendees(get(AppointmentSchema.Resources)),
    ModifiedOccurrences: (modified?.GetEnumerator() ?? []).map((o) => {
      const exception = details.get(o.ItemId?.UniqueId ?? "");
      return {
        Start: iso(o.Start) ?? "",
        End: iso(o.End) ?? "",
        OriginalStart: iso(o.OriginalStart) ?? "",
        Subject: differing(exception?.subject, subject),
        Location: differing(exception?.location, location),
      };
    }),
    DeletedOccurrences: (deleted?.GetEnumerator() ?? []).map((o) => ({ Start: iso(o.OriginalStart) ?? "" })),
  };
  if (organizer?.Address) wire.Organizer = { Mailbox: { EmailAddress: organizer.Address, Name: organizer.Name } };
  if (recurrence) wire.Recurrence = recurrenceFromItem(recurrence);
  if (zone?.Id && zone.Id !== "UTC") wire.StartTimeZone = { Id: zone.Id };
  const body = get<MessageBody>(ItemSchema.Body);
  if (body?.Text) wire.Body = { BodyType: body.BodyType === BodyType.HTML ? "HTML" : "Text", value: body.Text };
  return wire;
}

/** Writes the wire into the item; `rewritePattern` false leaves the stored recurrence (and so its exceptions) alone. */
function applyWire(item: Appointment, wire: EwsCalendarItem, rewritePattern: boolean): void {
  item.Subject = wire.Subject ?? "";
  item.Body = new MessageBody(BodyType.Text, wire.Body?.value ?? "");
  item.Categories = new StringList(wire.Categories ?? []);
  if (wire.Sensitivity) item.Sensitivity = Sensitivity[wire.Sensitivity];
  item.IsReminderSet = wire.ReminderIsSet ?? false;
  item.ReminderMinutesBeforeStart = wire.ReminderMinutesBeforeStart ?? 0;
  const zoneId = wire.StartTimeZone?.Id ?? wire.MeetingTimeZone?.TimeZoneName ?? "UTC";
  item.StartTimeZone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
  item.Start = new DateTime(Date.parse(wire.Start ?? ""));
  item.End = new DateTime(Date.parse(wire.End ?? ""));
  item.IsAllDayEvent = wire.IsAllDayEvent ?? false;
  item.Location = wire.Location ?? "";
  if (wire.Recurrence && rewritePattern) item.Recurrence = recurrenceToItem(wire.Recurrence);
  item.RequiredAttendees.Clear();
  for (const attendee of wire.RequiredAttendees ?? []) item.RequiredAttendees.Add(attendee.Mailbox.EmailAddress ?? "");
  item.OptionalAttendees.Clear();
  for (const attendee of wire.OptionalAttendees ?? []) item.OptionalAttendees.Add(attendee.Mailbox.EmailAddress ?? "");
}

export interface EventCodecOptions {
  mailboxTimeZone: string;
  /** Send cancellations to attendees when deleting (default: never); creates/updates follow `notifyAttendees`. */
  sendInvitations?: boolean;
}

export function eventCodec(session: EwsSession, options: EventCodecOptions): ItemCodec<CalendarEvent, Appointment> {
  const toEws = (value: CalendarEvent) =>
    eventToEws(value, {
      mailboxTimeZone: options.mailboxTimeZone,
      timeZoneStyle: session.is2007 ? "MeetingTimeZone" : "StartEndTimeZone",
    }).item;
  const send = options.sendInvitations === true;
  return {
    module: "events",
    folder: WellKnownFolderName.Calendar,
    propertySet: () => new PropertySet(BasePropertySet.IdOnly, PROPERTIES),
    create: (service: ExchangeService) => new Appointment(service),
    apply(item, value) {
      const rewritePattern = item.IsNew || !keepsPattern(eventFromEws(wireFromItem(item)), value);
      applyWire(item, escapedWire(toEws(value)), rewritePattern);
    },
    read: (item) => eventFromEws(wireFromItem(item)),
    async readMany(items) {
      const exceptionIds = items.flatMap((item) =>
        (
          optionalProperty<Appointment["ModifiedOccurrences"]>(
            item,
            AppointmentSchema.ModifiedOccurrences,
          )?.GetEnumerator() ?? []
        ).map((occurrence) => occurrence.ItemId?.UniqueId ?? ""),
      );
      const details = await loadExceptionDetails(
        session,
        exceptionIds.filter((id) => id !== ""),
      );
      return items.map((item) => eventFromEws(wireFromItem(item, details)));
    },
    writeDependents: (writes) =>
      writeExceptions(
        session,
        writes.map((write) => ({
          masterId: write.item.Id.UniqueId,
          value: write.value,
          previous: write.previous,
          notifyAttendees: write.notifyAttendees,
        })),
        (value) => value.timeZone ?? options.mailboxTimeZone,
      ),
    // The master's round trip plus its exceptions, which travel as occurrence writes (read back as ModifiedOccurrences:
    // subject and location only where they differ from the master's).
    stored(value) {
      const master = eventFromEws(toEws(value));
      const differing = (text: string | undefined, own: string | undefined) => (text !== own ? text : undefined);
      return {
        ...master,
        movedOccurrences: value.movedOccurrences.map((moved) =>
          compact({
            ...moved,
            subject: differing(moved.subject, master.subject),
            location: differing(moved.location, master.location),
          }),
        ),
        cancelledOccurrences: value.cancelledOccurrences,
      };
    },
    sendInvitations: (notify) => (notify ? SendInvitationsMode.SendToAllAndSaveCopy : SendInvitationsMode.SendToNone),
    sendUpdates: (notify) =>
      notify ? SendInvitationsOrCancellationsMode.SendToAllAndSaveCopy : SendInvitationsOrCancellationsMode.SendToNone,
    sendCancellations: send ? SendCancellationsMode.SendToAllAndSaveCopy : SendCancellationsMode.SendToNone,
  };
}
