/**
 * Zoho CRM record JSON as the mappings read and write it (zoho-crm-api.md §3). Reads tolerate every field being
 * absent or null (Zoho answers null for empty fields); writes send null to clear a field.
 */

export type ZohoScalar = string | number | boolean | null;
/** A Zoho record: API field name → value. Lookups are `{ id, name? }`, subforms and lists are arrays. */
export type ZohoRecord = { [field: string]: ZohoScalar | ZohoRecord | ZohoRecord[] | undefined };

export interface ZohoLookup {
  id: string;
  name?: string | null;
}

export interface ZohoParticipant {
  type: "contact" | "lead" | "user" | "email";
  /** Record id for contact/lead/user participants. */
  participant?: string | null;
  Email?: string | null;
  name?: string | null;
  invited?: boolean;
  status?: string | null;
  id?: string;
}

export interface ZohoEventReminder {
  unit: number;
  period: "minutes" | "hours" | "days" | "weeks";
  /** Only with period "days": a clock time `10.30` on that day instead of a relative offset. */
  time?: string;
}

export interface ZohoEventRecord {
  id?: string;
  Event_Title?: string | null;
  Start_DateTime?: string | null;
  End_DateTime?: string | null;
  All_day?: boolean | null;
  Venue?: string | null;
  Description?: string | null;
  Participants?: ZohoParticipant[] | null;
  Remind_At?: ZohoEventReminder[] | null;
  Recurring_Activity?: { RRULE: string; EXDATE?: string | null } | null;
  [field: string]: unknown;
}

export interface ZohoTaskRecord {
  id?: string;
  Subject?: string | null;
  Status?: string | null;
  Priority?: string | null;
  Due_Date?: string | null;
  Description?: string | null;
  Remind_At?: { ALARM: string } | null;
  Recurring_Activity?: { RRULE: string } | null;
  Closed_Time?: string | null;
  [field: string]: unknown;
}

export interface ZohoMailAddress {
  user_name?: string;
  email: string;
}

/** One element of the `Emails` array of `POST /{module}/{id}/actions/associate_email` (zoho-crm-api.md §4). */
export interface ZohoAssociateEmail {
  from: ZohoMailAddress;
  to: ZohoMailAddress[];
  cc?: ZohoMailAddress[];
  subject: string;
  content: string;
  mail_format: "html" | "text";
  date_time: string;
  sent: boolean;
  original_message_id: string;
  attachments?: { id: string; name: string }[];
}

/** What every Zoho mapping needs to know: the zone of the API user, in which Zoho renders DateTimes. */
export interface ZohoMappingOptions {
  userTimeZone: string;
}
