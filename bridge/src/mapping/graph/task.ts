/**
 * Canonical task ⇄ Graph To Do `todoTask`. Due/start/completed are date-only in To Do but travel as
 * `dateTimeTimeZone`; we write the mailbox zone's midnight and read with dateOfMidnight, so a due date stored as local
 * midnight (e.g. `…T22:00:00` UTC for Berlin) or as UTC midnight reads as the intended day. Importance has three
 * levels: Zoho's Lowest/Highest are written as low/high (the sync core compares priority on three levels).
 */
import { normaliseTask, type Task } from "../../model/index.js";
import { bodyText } from "../text.js";
import { dateOfMidnight, type MailboxZoneOptions, wallClockFromInstant } from "../time.js";
import { compact } from "../values.js";
import { instantFromGraph, zoneToGraph } from "./event.js";
import type { GraphDateTimeTimeZone, GraphTodoTask } from "./wire.js";

const IMPORTANCE_FROM: Record<string, Task["priority"]> = { low: "low", normal: "normal", high: "high" };
const IMPORTANCE_TO: Record<Task["priority"], "low" | "normal" | "high"> = {
  lowest: "low",
  low: "low",
  normal: "normal",
  high: "high",
  highest: "high",
};

function dateFromGraph(
  field: string,
  value: GraphDateTimeTimeZone | null | undefined,
  zone: string,
): string | undefined {
  return value ? dateOfMidnight(field, instantFromGraph(field, value), zone) : undefined;
}

const dateToGraph = (date: string | undefined, zone: string): GraphDateTimeTimeZone | null =>
  date === undefined ? null : { dateTime: `${date}T00:00:00`, timeZone: zoneToGraph(zone) };

export function taskFromGraph(graph: GraphTodoTask, options: MailboxZoneOptions): Task {
  return normaliseTask(
    compact({
      subject: graph.title ?? "",
      status: graph.status ?? "notStarted",
      priority: IMPORTANCE_FROM[graph.importance ?? "normal"] ?? "normal",
      dueDate: dateFromGraph("dueDateTime", graph.dueDateTime, options.mailboxTimeZone),
      startDate: dateFromGraph("startDateTime", graph.startDateTime, options.mailboxTimeZone),
      completedDate: dateFromGraph("completedDateTime", graph.completedDateTime, options.mailboxTimeZone),
      reminderAt:
        graph.isReminderOn === true && graph.reminderDateTime
          ? instantFromGraph("reminderDateTime", graph.reminderDateTime)
          : undefined,
      body: bodyText(graph.body),
      categories: graph.categories ?? [],
    }),
  );
}

export function taskToGraph(task: Task, options: MailboxZoneOptions): GraphTodoTask {
  return {
    title: task.subject,
    status: task.status,
    importance: IMPORTANCE_TO[task.priority],
    dueDateTime: dateToGraph(task.dueDate, options.mailboxTimeZone),
    startDateTime: dateToGraph(task.startDate, options.mailboxTimeZone),
    completedDateTime: dateToGraph(task.completedDate, options.mailboxTimeZone),
    isReminderOn: task.reminderAt !== undefined,
    reminderDateTime:
      task.reminderAt === undefined
        ? null
        : { dateTime: wallClockFromInstant(task.reminderAt, "UTC"), timeZone: "UTC" },
    body: { contentType: "text", content: task.body ?? "" },
    categories: task.categories,
  };
}
