/**
 * Microsoft Graph v1.0 resource JSON as the mappings read and write it (contact, event, todoTask, message). Reads
 * tolerate absent and null properties; only the properties the bridge maps are typed.
 */

export interface GraphEmailAddress {
  address?: string | null;
  name?: string | null;
}

export interface GraphRecipient {
  emailAddress?: GraphEmailAddress | null;
}

export interface GraphPhysicalAddress {
  street?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  countryOrRegion?: string | null;
}

export interface GraphItemBody {
  contentType?: "text" | "html";
  content?: string | null;
}

/** `dateTime` is wall-clock time (`2017-04-15T11:00:00.0000000`) in `timeZone` (Windows or IANA name). */
export interface GraphDateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

export interface GraphContact {
  id?: string;
  title?: string | null;
  givenName?: string | null;
  middleName?: string | null;
  surname?: string | null;
  displayName?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  assistantName?: string | null;
  emailAddresses?: GraphEmailAddress[] | null;
  businessPhones?: string[] | null;
  homePhones?: string[] | null;
  mobilePhone?: string | null;
  businessAddress?: GraphPhysicalAddress | null;
  homeAddress?: GraphPhysicalAddress | null;
  otherAddress?: GraphPhysicalAddress | null;
  birthday?: string | null;
  businessHomePage?: string | null;
  personalNotes?: string | null;
  categories?: string[] | null;
}

export type GraphDayOfWeek = "sunday" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday";
export type GraphWeekIndex = "first" | "second" | "third" | "fourth" | "last";

export interface GraphPatternedRecurrence {
  pattern: {
    type: "daily" | "weekly" | "absoluteMonthly" | "relativeMonthly" | "absoluteYearly" | "relativeYearly";
    interval: number;
    month?: number;
    dayOfMonth?: number;
    daysOfWeek?: GraphDayOfWeek[];
    firstDayOfWeek?: GraphDayOfWeek;
    index?: GraphWeekIndex;
  };
  range: {
    type: "endDate" | "noEnd" | "numbered";
    startDate: string;
    endDate?: string | null;
    recurrenceTimeZone?: string | null;
    numberOfOccurrences?: number;
  };
}

export interface GraphAttendee {
  type?: "required" | "optional" | "resource";
  status?: { response?: string | null } | null;
  emailAddress?: GraphEmailAddress | null;
}

export interface GraphEvent {
  id?: string;
  type?: "singleInstance" | "occurrence" | "exception" | "seriesMaster";
  subject?: string | null;
  body?: GraphItemBody | null;
  start?: GraphDateTimeTimeZone | null;
  end?: GraphDateTimeTimeZone | null;
  isAllDay?: boolean | null;
  originalStartTimeZone?: string | null;
  /** Exceptions/occurrences: the UTC start the occurrence had in the pattern (`2026-03-30T07:00:00Z`). */
  originalStart?: string | null;
  location?: { displayName?: string | null } | null;
  organizer?: GraphRecipient | null;
  attendees?: GraphAttendee[] | null;
  isReminderOn?: boolean | null;
  reminderMinutesBeforeStart?: number | null;
  recurrence?: GraphPatternedRecurrence | null;
  /** Series master: occurrenceIds (`OID.<masterId>.2026-04-06`) of cancelled occurrences (requires $select). */
  cancelledOccurrences?: string[] | null;
  /** Series master: its exceptions, when a GET by its id selects and expands them. */
  exceptionOccurrences?: GraphEvent[] | null;
  onlineMeeting?: { joinUrl?: string | null } | null;
  onlineMeetingUrl?: string | null;
  categories?: string[] | null;
  sensitivity?: "normal" | "personal" | "private" | "confidential" | null;
  iCalUId?: string | null;
}

export interface GraphTodoTask {
  id?: string;
  title?: string | null;
  status?: "notStarted" | "inProgress" | "completed" | "waitingOnOthers" | "deferred" | null;
  importance?: "low" | "normal" | "high" | null;
  dueDateTime?: GraphDateTimeTimeZone | null;
  startDateTime?: GraphDateTimeTimeZone | null;
  completedDateTime?: GraphDateTimeTimeZone | null;
  isReminderOn?: boolean | null;
  reminderDateTime?: GraphDateTimeTimeZone | null;
  body?: GraphItemBody | null;
  categories?: string[] | null;
}

export interface GraphAttachment {
  name?: string | null;
  contentType?: string | null;
  size?: number | null;
  isInline?: boolean | null;
  contentId?: string | null;
}

export interface GraphMessage {
  id?: string;
  internetMessageId?: string | null;
  from?: GraphRecipient | null;
  sender?: GraphRecipient | null;
  toRecipients?: GraphRecipient[] | null;
  ccRecipients?: GraphRecipient[] | null;
  sentDateTime?: string | null;
  receivedDateTime?: string | null;
  subject?: string | null;
  body?: GraphItemBody | null;
  attachments?: GraphAttachment[] | null;
}
