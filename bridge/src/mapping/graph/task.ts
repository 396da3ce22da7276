/**
 * Canonical task ⇄ Graph To Do `todoTask`. Due/start/completed are date-only in To Do but travel as
 * `dateTimeTimeZone`; we write midnight UTC and read the nearest date of the UTC instant, so a due date written by
 * Outlook as local midnight (e.g. `…T22:00:00` UTC for Berlin) still reads as the intended day. Importance has three
 * levels: Zoho's Lowest/Highest are written as low/high (the sync core compares priority on three levels).
 */
import { normaliseTask, type Task } from "../../model/index.js";
import { bodyText } from "../text.js";
import { nearestDate, wallClockFromInstant } from "../time.js";
import { compact } from "../values.js";
import { instantFromGraph } from "./event.js";
import type { GraphDateTimeTimeZone, GraphTodoTask } from "./wire.js";

const IMPORTANCE_FROM: Record<string, Task["priority"]> = { low: "low", normal: "normal", high: "high" };
const IMPORTANCE_TO: Record<Task["priority"], "low" | "normal" | "high"> = {
  lowest: "low",
  low: "low",
  normal: "normal",
  high: "high",
  highest: "high",
};

function dateFromGraph(field: string, value: GraphDateTimeTimeZone | null | undefined): string | undefined {
  return value ? nearestDate(field, instantFromGraph(field, value)) : undefined;
}

const dateToGraph = (date: string | undefined): GraphDateTimeTimeZone | null =>
  date === undefined ? null : { dateTime: `${date}T00:00:00`, timeZone: "UTC" };

export function taskFromGraph(graph: GraphTodoTask): Task {
  return normaliseTask(
    compact({
      subject: graph.title ?? "",
      status: graph.status ?? "notStarted",
      priority: IMPORTANCE_FROM[graph.importance ?? "normal"] ?? "normal",
      dueDate: dateFromGraph("dueDateTime", graph.dueDateTime),
      startDate: dateFromGraph("startDateTime", graph.startDateTime),
      completedDate: dateFromGraph("completedDateTime", graph.completedDateTime),
      reminderAt:
        graph.isReminderOn === true && graph.reminderDateTime
          ? instantFromGraph("reminderDateTime", graph.reminderDateTime)
          : undefined,
      body: bodyText(graph.body),
      categories: graph.categories ?? [],
    }),
  );
}

export function taskToGraph(task: Task): GraphTodoTask {
  return {
    title: task.subject,
    status: task.status,
    importance: IMPORTANCE_TO[task.priority],
    dueDateTime: dateToGraph(task.dueDate),
    startDateTime: dateToGraph(task.startDate),
    completedDateTime: dateToGraph(task.completedDate),
    isReminderOn: task.reminderAt !== undefined,
    reminderDateTime:
      task.reminderAt === undefined
        ? null
        : { dateTime: wallClockFromInstant(task.reminderAt, "UTC"), timeZone: "UTC" },
    body: { contentType: "text", content: task.body ?? "" },
    categories: task.categories,
  };
}
