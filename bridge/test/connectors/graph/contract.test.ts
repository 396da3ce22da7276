import { afterAll, beforeAll } from "vitest";
import { contactToGraph } from "../../../src/mapping/graph/contact.js";
import { eventToGraph } from "../../../src/mapping/graph/event.js";
import { taskToGraph } from "../../../src/mapping/graph/task.js";
import type { CalendarEvent, Contact, Task } from "../../../src/model/index.js";
import { runRecordPortContract } from "../contract.js";
import { graphHarness, type RunningSimulator, startEmptySimulator } from "./harness.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startEmptySimulator();
});
afterAll(() => sim.close());

function folderOf(kind: "contactFolder" | "todoList", mailbox: string): string {
  const folder = [...sim.control.mailbox(mailbox).folders.values()].find(
    (candidate) => candidate.kind === kind && candidate.isDefault,
  );
  if (!folder) throw new Error(`no default ${kind}`);
  return folder.id;
}

const contact = (n: number): Contact => ({
  givenName: `Given${n}`,
  surname: `Surname${n}`,
  companyName: `Company ${n}`,
  email1: `person${n}@example.com`,
  businessPhone: `+49 30 555 ${1000 + n}`,
  categories: [],
});

runRecordPortContract<Contact>("graph contacts", async () =>
  graphHarness(sim, {
    pick: (port) => port.modules.contacts,
    collection: () => "/contacts",
    item: (_sim, _mailbox, id) => `/contacts/${id}`,
    toGraph: contactToGraph,
    sample: contact,
    same: (read, written) =>
      read.givenName === written.givenName &&
      read.surname === written.surname &&
      read.email1 === written.email1 &&
      read.companyName === written.companyName,
  }),
);

const task = (n: number): Task => ({
  subject: `Call back customer ${n}`,
  status: n % 2 === 0 ? "inProgress" : "notStarted",
  priority: n % 2 === 0 ? "high" : "normal",
  dueDate: `2031-0${(n % 9) + 1}-1${n % 10}`,
  categories: [],
});

runRecordPortContract<Task>("graph To Do tasks", async () =>
  graphHarness(sim, {
    pick: (port) => port.modules.tasks,
    collection: (_sim, mailbox) => `/todo/lists/${folderOf("todoList", mailbox)}/tasks`,
    item: (_sim, mailbox, id) => `/todo/lists/${folderOf("todoList", mailbox)}/tasks/${id}`,
    toGraph: (value) => taskToGraph(value, { mailboxTimeZone: "UTC" }),
    sample: task,
    same: (read, written) =>
      read.subject === written.subject && read.status === written.status && read.dueDate === written.dueDate,
  }),
);

const DAY = 86_400_000;
const event = (n: number): CalendarEvent => {
  const start = new Date(Math.floor(Date.now() / DAY) * DAY + (n + 2) * DAY + 9 * 3_600_000);
  const iso = (date: Date) => date.toISOString().replace(".000", "");
  return {
    subject: `Customer visit ${n}`,
    span: { kind: "timed", start: iso(start), end: iso(new Date(start.getTime() + 3_600_000)) },
    timeZone: "Europe/Berlin",
    location: `Room ${n}`,
    attendees: [],
    reminderMinutesBefore: 15,
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
};

runRecordPortContract<CalendarEvent>("graph events", async () =>
  graphHarness(sim, {
    pick: (port) => port.modules.events,
    collection: () => "/events",
    item: (_sim, _mailbox, id) => `/events/${id}`,
    toGraph: (value) => eventToGraph(value, { mailboxTimeZone: "UTC" }).event,
    sample: event,
    same: (read, written) =>
      read.subject === written.subject &&
      read.span.kind === "timed" &&
      written.span.kind === "timed" &&
      Date.parse(read.span.start) === Date.parse(written.span.start) &&
      read.location === written.location,
  }),
);
