/**
 * EWS items as plain objects named after the XSD elements (types.xsd, ews.md §10). Dictionaries (`EmailAddresses`,
 * `PhoneNumbers`, `PhysicalAddresses`) and lists are arrays of their entries; element text is `value`. The EWS
 * connector translates these to and from ews-javascript-api objects.
 */

export interface EwsBody {
  BodyType: "Text" | "HTML";
  value: string;
}

export interface EwsMailbox {
  Name?: string;
  EmailAddress?: string;
  RoutingType?: string;
}

export interface EwsAttendee {
  Mailbox: EwsMailbox;
  ResponseType?: "Unknown" | "Organizer" | "Tentative" | "Accept" | "Decline" | "NoResponseReceived";
}

export type EwsEmailKey = "EmailAddress1" | "EmailAddress2" | "EmailAddress3";
export type EwsPhoneKey =
  | "AssistantPhone"
  | "BusinessFax"
  | "BusinessPhone"
  | "BusinessPhone2"
  | "Callback"
  | "CarPhone"
  | "CompanyMainPhone"
  | "HomeFax"
  | "HomePhone"
  | "HomePhone2"
  | "Isdn"
  | "MobilePhone"
  | "OtherFax"
  | "OtherTelephone"
  | "Pager"
  | "PrimaryPhone"
  | "RadioPhone"
  | "Telex"
  | "TtyTddPhone";
export type EwsAddressKey = "Business" | "Home" | "Other";

export interface EwsPhysicalAddress {
  Key: EwsAddressKey;
  Street?: string;
  City?: string;
  State?: string;
  CountryOrRegion?: string;
  PostalCode?: string;
}

export interface EwsContact {
  DisplayName?: string;
  GivenName?: string;
  MiddleName?: string;
  Surname?: string;
  CompanyName?: string;
  JobTitle?: string;
  Department?: string;
  AssistantName?: string;
  EmailAddresses?: { Key: EwsEmailKey; Name?: string; value: string }[];
  PhoneNumbers?: { Key: EwsPhoneKey; value: string }[];
  PhysicalAddresses?: EwsPhysicalAddress[];
  /** xs:dateTime. */
  Birthday?: string;
  BusinessHomePage?: string;
  Body?: EwsBody;
  Categories?: string[];
}

export type EwsDayOfWeek =
  | "Sunday"
  | "Monday"
  | "Tuesday"
  | "Wednesday"
  | "Thursday"
  | "Friday"
  | "Saturday"
  | "Day"
  | "Weekday"
  | "WeekendDay";
export type EwsDayOfWeekIndex = "First" | "Second" | "Third" | "Fourth" | "Last";
export type EwsMonth =
  | "January"
  | "February"
  | "March"
  | "April"
  | "May"
  | "June"
  | "July"
  | "August"
  | "September"
  | "October"
  | "November"
  | "December";

/** `DaysOfWeek` is a space-separated list in the XSD (`Monday Wednesday`). */
export interface EwsRecurrence {
  RelativeYearlyRecurrence?: { DaysOfWeek: string; DayOfWeekIndex: EwsDayOfWeekIndex; Month: EwsMonth };
  AbsoluteYearlyRecurrence?: { DayOfMonth: number; Month: EwsMonth };
  RelativeMonthlyRecurrence?: { Interval: number; DaysOfWeek: string; DayOfWeekIndex: EwsDayOfWeekIndex };
  AbsoluteMonthlyRecurrence?: { Interval: number; DayOfMonth: number };
  /** FirstDayOfWeek exists from Exchange 2010 on. */
  WeeklyRecurrence?: { Interval: number; DaysOfWeek: string; FirstDayOfWeek?: EwsDayOfWeek };
  DailyRecurrence?: { Interval: number };
  /** Dates are xs:date and may carry a zone suffix (`2025-07-02Z`, seen in Exchange 2019 recordings). */
  NoEndRecurrence?: { StartDate: string };
  EndDateRecurrence?: { StartDate: string; EndDate: string };
  NumberedRecurrence?: { StartDate: string; NumberOfOccurrences: number };
}

/** OccurrenceInfoType; Subject and Location are filled by the connector from the exception item when it differs. */
export interface EwsOccurrenceInfo {
  ItemId?: { Id: string; ChangeKey?: string };
  Start: string;
  End: string;
  OriginalStart: string;
  Subject?: string;
  Location?: string;
}

/** SerializableTimeChangeType: offset from BaseOffset, yearly rule, local time of the change. */
export interface EwsTimeChange {
  TimeZoneName?: string;
  Offset: string;
  RelativeYearlyRecurrence?: { DaysOfWeek: EwsDayOfWeek; DayOfWeekIndex: EwsDayOfWeekIndex; Month: EwsMonth };
  AbsoluteDate?: string;
  Time: string;
}

/** Exchange 2007's `MeetingTimeZone` (TimeZoneType): BaseOffset is the Windows bias, i.e. UTC minus local time. */
export interface EwsMeetingTimeZone {
  TimeZoneName?: string;
  BaseOffset?: string;
  Standard?: EwsTimeChange;
  Daylight?: EwsTimeChange;
}

/** Exchange 2010+ `StartTimeZone`/`EndTimeZone` (TimeZoneDefinitionType), referenced by Windows id. */
export interface EwsTimeZoneDefinition {
  Id: string;
  Name?: string;
}

export interface EwsCalendarItem {
  Subject?: string;
  Body?: EwsBody;
  Categories?: string[];
  Sensitivity?: "Normal" | "Personal" | "Private" | "Confidential";
  ReminderIsSet?: boolean;
  ReminderMinutesBeforeStart?: number;
  UID?: string;
  /** xs:dateTime; responses give UTC (`2025-07-02T10:00:00Z`). */
  Start?: string;
  End?: string;
  IsAllDayEvent?: boolean;
  Location?: string;
  CalendarItemType?: "Single" | "Occurrence" | "Exception" | "RecurringMaster";
  Organizer?: { Mailbox: EwsMailbox };
  RequiredAttendees?: EwsAttendee[];
  OptionalAttendees?: EwsAttendee[];
  Resources?: EwsAttendee[];
  Recurrence?: EwsRecurrence;
  ModifiedOccurrences?: EwsOccurrenceInfo[];
  /** DeletedOccurrenceInfoType: the original start of each deleted occurrence. */
  DeletedOccurrences?: { Start: string }[];
  MeetingTimeZone?: EwsMeetingTimeZone;
  StartTimeZone?: EwsTimeZoneDefinition;
  EndTimeZone?: EwsTimeZoneDefinition;
}

export interface EwsTask {
  Subject?: string;
  Body?: EwsBody;
  Categories?: string[];
  Importance?: "Low" | "Normal" | "High";
  ReminderIsSet?: boolean;
  ReminderDueBy?: string;
  DueDate?: string;
  StartDate?: string;
  CompleteDate?: string;
  Status?: "NotStarted" | "InProgress" | "Completed" | "WaitingOnOthers" | "Deferred";
}

export interface EwsAttachment {
  Name?: string;
  ContentType?: string;
  Size?: number;
  IsInline?: boolean;
  ContentId?: string;
}

export interface EwsMessage {
  InternetMessageId?: string;
  From?: { Mailbox: EwsMailbox };
  Sender?: { Mailbox: EwsMailbox };
  ToRecipients?: EwsMailbox[];
  CcRecipients?: EwsMailbox[];
  DateTimeSent?: string;
  DateTimeReceived?: string;
  Subject?: string;
  Body?: EwsBody;
  Attachments?: EwsAttachment[];
}

/** Which time-zone elements a CalendarItem carries: Exchange 2007 SP1 knows only `MeetingTimeZone`. */
export type EwsTimeZoneStyle = "MeetingTimeZone" | "StartEndTimeZone";

/** The style for a `RequestServerVersion` value (`Exchange2007_SP1`, `Exchange2010_SP2`, `Exchange2016`, …). */
export function timeZoneStyleFor(requestServerVersion: string): EwsTimeZoneStyle {
  return requestServerVersion.startsWith("Exchange2007") ? "MeetingTimeZone" : "StartEndTimeZone";
}
