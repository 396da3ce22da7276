/**
 * Canonical task ⇄ EWS Task. Due/start/complete dates are date-times on the wire holding a midnight; we write the
 * mailbox zone's midnight and read dates with dateOfMidnight. Importance has three
 * levels, like Graph's.
 */
import { normaliseTask, type Task } from "../../model/index.js";
import { bodyText } from "../text.js";
import { dateOfMidnight, instantFromOffsetDateTime, type MailboxZoneOptions, startOfDateInstant } from "../time.js";
import { compact, invert } from "../values.js";
import type { EwsTask } from "./wire.js";

const STATUS: Record<NonNullable<EwsTask["Status"]>, Task["status"]> = {
  NotStarted: "notStarted",
  InProgress: "inProgress",
  Completed: "completed",
  WaitingOnOthers: "waitingOnOthers",
  Deferred: "deferred",
};
const STATUS_TO_EWS = invert(STATUS);
const IMPORTANCE: Record<Task["priority"], NonNullable<EwsTask["Importance"]>> = {
  lowest: "Low",
  low: "Low",
  normal: "Normal",
  high: "High",
  highest: "High",
};

export function taskFromEws(item: EwsTask, options: MailboxZoneOptions): Task {
  const dateFromEws = (field: string, value: string | undefined) =>
    value ? dateOfMidnight(field, instantFromOffsetDateTime(field, value), options.mailboxTimeZone) : undefined;
  return normaliseTask(
    compact({
      subject: item.Subject ?? "",
      status: STATUS[item.Status ?? "NotStarted"],
      priority: item.Importance === "Low" ? "low" : item.Importance === "High" ? "high" : "normal",
      dueDate: dateFromEws("DueDate", item.DueDate),
      startDate: dateFromEws("StartDate", item.StartDate),
      completedDate: dateFromEws("CompleteDate", item.CompleteDate),
      reminderAt:
        item.ReminderIsSet === true && item.ReminderDueBy
          ? instantFromOffsetDateTime("ReminderDueBy", item.ReminderDueBy)
          : undefined,
      body: bodyText(item.Body && { contentType: item.Body.BodyType, content: item.Body.value }),
      categories: item.Categories ?? [],
    }),
  );
}

export function taskToEws(task: Task, options: MailboxZoneOptions): EwsTask {
  const date = (value: string | undefined) =>
    value === undefined ? undefined : startOfDateInstant(value, options.mailboxTimeZone);
  return compact({
    Subject: task.subject,
    Body: { BodyType: "Text" as const, value: task.body ?? "" },
    Categories: task.categories,
    Importance: IMPORTANCE[task.priority],
    ReminderIsSet: task.reminderAt !== undefined,
    ReminderDueBy: task.reminderAt,
    DueDate: date(task.dueDate),
    StartDate: date(task.startDate),
    CompleteDate: date(task.completedDate),
    Status: STATUS_TO_EWS[task.status],
  });
}
