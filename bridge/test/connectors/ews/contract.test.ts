import { expect } from "vitest";
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import type { ItemKind } from "../../../simulators/ews/store.js";
import type { FieldValues } from "../../../simulators/ews/user-actions.js";
import { el } from "../../../simulators/ews/xml.js";
import { createEwsExchangePort, type EwsVersionName } from "../../../src/connectors/ews/index.js";
import type { RecordPort } from "../../../src/connectors/port.js";
import type { CalendarEvent, Contact, Task } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";
import { type ContractHarness, runRecordPortContract } from "../contract.js";

const SERVICE = "CONTOSO\\svc-crm";
const MAILBOX = "alice@contoso.com";

function sample(n: number): Contact {
  return {
    givenName: `Given${n}`,
    surname: `Surname${n}`,
    companyName: `Company ${n}`,
    email1: `person${n}@example.org`,
    businessPhone: `+1 555 000${n}`,
    categories: [],
  };
}

function same(read: Contact, written: Contact): boolean {
  return (["givenName", "surname", "companyName", "email1", "businessPhone"] as const).every(
    (field) => read[field] === written[field],
  );
}

function fields(value: Contact) {
  return {
    GivenName: value.givenName ?? "",
    Surname: value.surname ?? "",
    CompanyName: value.companyName ?? "",
    EmailAddresses: el("EmailAddresses", {}, [el("Entry", { Key: "EmailAddress1" }, value.email1 ?? "")]),
    PhoneNumbers: el("PhoneNumbers", {}, [el("Entry", { Key: "BusinessPhone" }, value.businessPhone ?? "")]),
  };
}

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2007SP1", "Exchange2007_SP1"],
  ["2010SP1", "Exchange2010_SP1"],
  ["2010SP2", "Exchange2010_SP2"],
  ["2013SP1", "Exchange2013_SP1"],
  ["2016", "Exchange2016"],
  // Exchange 2019 added no EWS schema version: it answers RequestServerVersion Exchange2016 (ews.md §1).
  ["2019", "Exchange2016"],
];

function sampleTask(n: number): Task {
  return {
    subject: `Follow up ${n}`,
    status: n % 2 === 0 ? "inProgress" : "notStarted",
    priority: n % 2 === 0 ? "high" : "normal",
    dueDate: `2026-03-0${n}`,
    body: `Call back about quote ${n}`,
    categories: [],
  };
}

function sameTask(read: Task, written: Task): boolean {
  return (["subject", "status", "priority", "dueDate", "body"] as const).every(
    (field) => read[field] === written[field],
  );
}

function taskFields(value: Task) {
  const status = {
    notStarted: "NotStarted",
    inProgress: "InProgress",
    completed: "Completed",
    waitingOnOthers: "WaitingOnOthers",
    deferred: "Deferred",
  }[value.status];
  return {
    Subject: value.subject,
    Body: el("Body", { BodyType: "Text" }, value.body ?? ""),
    Importance: value.priority === "high" ? "High" : "Normal",
    DueDate: `${value.dueDate}T00:00:00Z`,
    Status: status,
  };
}

function sampleEvent(n: number): CalendarEvent {
  const start = `2026-04-0${n}T09:00:00Z`;
  const recurrence: CalendarEvent["recurrence"] =
    n % 2 === 0 ? { frequency: "weekly", interval: 1, byWeekday: ["TH"], end: { type: "count", count: 4 } } : undefined;
  return {
    ...(recurrence ? { recurrence } : {}),
    subject: `Customer call ${n}`,
    span: { kind: "timed", start, end: `2026-04-0${n}T10:00:00Z` },
    location: `Room ${n}`,
    attendees: [],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
}

function sameEvent(read: CalendarEvent, written: CalendarEvent): boolean {
  return (
    read.subject === written.subject &&
    JSON.stringify(read.span) === JSON.stringify(written.span) &&
    read.location === written.location &&
    (read.recurrence === undefined) === (written.recurrence === undefined)
  );
}

function eventFields(value: CalendarEvent) {
  if (value.span.kind !== "timed") throw new Error("timed samples only");
  const fields = {
    Subject: value.subject,
    Start: value.span.start,
    End: value.span.end,
    Location: value.location ?? "",
  };
  if (!value.recurrence) return fields;
  // The samples' only series: weekly on Thursdays, four times.
  const recurrence = el("Recurrence", {}, [
    el("WeeklyRecurrence", {}, [el("Interval", {}, "1"), el("DaysOfWeek", {}, "Thursday")]),
    el("NumberedRecurrence", {}, [
      el("StartDate", {}, `${value.span.start.slice(0, 10)}Z`),
      el("NumberOfOccurrences", {}, "4"),
    ]),
  ]);
  return { ...fields, Recurrence: recurrence };
}

/** The contract harness for one module on one simulated server; "remote" edits act as the Outlook user. */
function ewsHarness<T>(
  release: ServerRelease,
  version: EwsVersionName,
  module: "contacts" | "tasks" | "events",
  where: { folder: string; kind: ItemKind; fields: (value: T) => FieldValues },
  sample: (n: number) => T,
  same: (read: T, written: T) => boolean,
  /** Who signs in: the impersonating service account, or the mailbox's own user. */
  logon: { username: string; impersonate: boolean } = { username: SERVICE, impersonate: true },
): () => Promise<ContractHarness<T>> {
  return async () => {
    const sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
    sim.control.seed({
      mailboxes: 2,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    const exchange = await createEwsExchangePort(
      {
        mailbox: MAILBOX,
        url: sim.ewsUrl,
        version,
        username: logon.username,
        password: "Pa55w.rd",
        auth: "basic",
        impersonate: logon.impersonate,
      },
      { pullIntervalMs: 100, mailboxTimeZone: "UTC" },
    );
    const port = exchange.modules[module] as RecordPort<T> | undefined;
    if (!port) throw new Error(`no ${module} port`);
    return {
      port,
      sample,
      same,
      remote: {
        create: async (value) => sim.control.user.create(MAILBOX, where.folder, where.kind, where.fields(value)).id,
        update: async (id, value) => {
          sim.control.user.edit(MAILBOX, id, where.fields(value));
        },
        remove: async (id) => sim.control.user.remove(MAILBOX, id),
      },
      setThrottled: async (retryAfterMs) => sim.control.throttle(logon.username, retryAfterMs ?? 0),
      expireAuth: async () => {
        const account = sim.control.org.findAccount(logon.username);
        if (account) account.password = "revoked";
      },
      close: async () => {
        await exchange.close();
        expect(sim.control.responseViolations()).toEqual([]);
        await sim.close();
      },
    };
  };
}

for (const [release, version] of SERVERS) {
  runRecordPortContract(
    `EWS contacts on ${release}`,
    ewsHarness(release, version, "contacts", { folder: "contacts", kind: "Contact", fields }, sample, same),
  );
  runRecordPortContract(
    `EWS tasks on ${release}`,
    ewsHarness(release, version, "tasks", { folder: "tasks", kind: "Task", fields: taskFields }, sampleTask, sameTask),
  );
  runRecordPortContract(
    `EWS events on ${release}`,
    ewsHarness(
      release,
      version,
      "events",
      { folder: "calendar", kind: "CalendarItem", fields: eventFields },
      sampleEvent,
      sameEvent,
    ),
  );
}

// Individual credentials instead of a service account: the user signs in to their own mailbox, without
// ExchangeImpersonation or X-AnchorMailbox.
runRecordPortContract(
  "EWS contacts on 2016 with the user's own credentials",
  ewsHarness("2016", "Exchange2016", "contacts", { folder: "contacts", kind: "Contact", fields }, sample, same, {
    username: MAILBOX,
    impersonate: false,
  }),
);
