/** Tasks: ews-javascript-api `Task` ⇄ the XSD-shaped `EwsTask` of `mapping/ews` ⇄ canonical. */
import {
  AffectedTaskOccurrence,
  BasePropertySet,
  BodyType,
  DateTime,
  Task as EwsJsTask,
  type ExchangeService,
  Importance,
  ItemSchema,
  MessageBody,
  PropertySet,
  StringList,
  TaskSchema,
  TaskStatus,
  WellKnownFolderName,
} from "ews-javascript-api";
import { taskFromEws, taskToEws } from "../../mapping/ews/task.js";
import type { EwsTask } from "../../mapping/ews/wire.js";
import type { Task } from "../../model/index.js";
import { escapedWire } from "./escape.js";
import { optionalProperty } from "./properties.js";
import type { ItemCodec } from "./record-port.js";

const DATES = [
  ["DueDate", TaskSchema.DueDate],
  ["StartDate", TaskSchema.StartDate],
  ["CompleteDate", TaskSchema.CompleteDate],
] as const;
/** What GetItem loads: exactly what wireFromItem reads (the first-class set parses every other element for nothing). */
const PROPERTIES = [
  ItemSchema.Subject,
  TaskSchema.Status,
  ItemSchema.Importance,
  ItemSchema.Categories,
  ...DATES.map(([, definition]) => definition),
  ItemSchema.IsReminderSet,
  ItemSchema.ReminderDueBy,
  ItemSchema.Body,
];

function wireFromItem(item: EwsJsTask): EwsTask {
  const wire: EwsTask = {
    Subject: item.Subject ?? "",
    Status: TaskStatus[item.Status] as EwsTask["Status"],
    // Exchange always returns Importance, but a missing one must not fail the whole listing: Normal is its default.
    Importance: Importance[
      optionalProperty<Importance>(item, ItemSchema.Importance) ?? Importance.Normal
    ] as EwsTask["Importance"],
    Categories: item.Categories?.GetEnumerator() ?? [],
  };
  for (const [element, definition] of DATES) {
    const value = optionalProperty<DateTime>(item, definition);
    if (value) wire[element] = value.ToISOString();
  }
  const reminderSet = optionalProperty<boolean>(item, ItemSchema.IsReminderSet);
  const reminder = optionalProperty<DateTime>(item, ItemSchema.ReminderDueBy);
  if (reminderSet !== undefined) wire.ReminderIsSet = reminderSet;
  if (reminderSet && reminder) wire.ReminderDueBy = reminder.ToISOString();
  if (item.Body?.Text)
    wire.Body = { BodyType: item.Body.BodyType === BodyType.HTML ? "HTML" : "Text", value: item.Body.Text };
  return wire;
}

function applyWire(item: EwsJsTask, wire: EwsTask, isNew: boolean): void {
  item.Subject = wire.Subject ?? "";
  item.Body = new MessageBody(BodyType.Text, wire.Body?.value ?? "");
  item.Categories = new StringList(wire.Categories ?? []);
  item.Importance = Importance[wire.Importance ?? "Normal"];
  item.Status = TaskStatus[wire.Status ?? "NotStarted"];
  for (const [element, definition] of DATES) {
    // A completion date belongs to a completed task only; Outlook clears it when a task is reopened.
    if (element === "CompleteDate" && wire.Status !== "Completed") continue;
    const value = wire[element];
    if (value) item[element] = new DateTime(Date.parse(value));
    else if (!isNew && optionalProperty(item, definition)) item[element] = null as never;
  }
  item.IsReminderSet = wire.ReminderIsSet ?? false;
  if (wire.ReminderDueBy) item.ReminderDueBy = new DateTime(Date.parse(wire.ReminderDueBy));
}

export function taskCodec(mailboxTimeZone: string): ItemCodec<Task, EwsJsTask> {
  const zone = { mailboxTimeZone };
  return {
    module: "tasks",
    folder: WellKnownFolderName.Tasks,
    propertySet: () => new PropertySet(BasePropertySet.IdOnly, PROPERTIES),
    create: (service: ExchangeService) => new EwsJsTask(service),
    apply(item, value) {
      applyWire(item, escapedWire(taskToEws(value, zone)), item.IsNew);
    },
    read: (item) => taskFromEws(wireFromItem(item), zone),
    stored: (value) => taskFromEws(taskToEws(value, zone), zone),
    // DeleteItem requires AffectedTaskOccurrences for tasks (docs deleteitem.md).
    affectedTaskOccurrences: AffectedTaskOccurrence.AllOccurrences,
  };
}
