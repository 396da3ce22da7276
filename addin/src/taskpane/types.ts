/** Data and actions the task pane's components receive as props; nothing here depends on Office. */
import type { AddinRequest, AddinResponse, MySyncStatus, PersonRecord } from "../../../bridge/src/api/addin.js";
import type { MailItemSnapshot, MailPerson, MeetingDetails } from "../office/host.js";

export type LoadState<T> =
  | { status: "loading" }
  | { status: "ready"; data: T }
  | { status: "error"; message: string }
  | { status: "unavailable"; message: string };

export type PeopleContext = AddinResponse<"context">["people"];
export type ItemStatus = AddinResponse<"itemStatus">;
export type SendResult = AddinResponse<"sendEmail">;
export type FollowUpInput = AddinRequest<"createFollowUp">;
export type FollowUpResult = AddinResponse<"createFollowUp">;
export type PersonSummary = AddinResponse<"searchPeople">["records"][number];
export type Schedule = AddinResponse<"availability">["schedules"][number];
export type { MailItemSnapshot, MailPerson, MySyncStatus, PersonRecord };

export type TaskPaneActions = {
  createPerson(draft: AddinRequest<"createPerson">): Promise<AddinResponse<"createPerson">>;
  sendToCrm(targets: AddinRequest<"sendEmail">["targets"], includeAttachments: boolean): Promise<SendResult>;
  createFollowUp(input: FollowUpInput): Promise<FollowUpResult>;
  setModuleEnabled(module: MySyncStatus["modules"][number]["module"], enabled: boolean): Promise<void>;
  syncNow(): Promise<void>;
  searchPeople(query: string): Promise<PersonSummary[]>;
  addAttendees(people: MailPerson[]): Promise<void>;
};

export type TaskPaneData = {
  /** The signed-in mailbox's address: people at its domain are colleagues, not prospects to create. */
  self: string;
  item: MailItemSnapshot | null;
  /** Sender and recipients (messages) or attendees (appointments), without the user. */
  people: MailPerson[];
  context: LoadState<PeopleContext>;
  itemStatus: LoadState<ItemStatus>;
  sync: LoadState<MySyncStatus>;
  /** Appointments only: attendees' free/busy for the meeting's time. */
  availability: LoadState<Schedule[]>;
  meeting: MeetingDetails | null;
};
