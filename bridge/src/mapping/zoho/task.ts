/**
 * Canonical task ⇄ Zoho Tasks record.
 *
 * Status and Priority are the default picklists (zoho-crm-api.md §3; simulator `TASK_STATUSES`): an org that
 * renamed values gets a MappingError naming the value rather than a silent default. The reminder is Zoho's ALARM
 * string: absolute `FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:<offset date-time>` (the form the official Zoho SDK
 * samples write, e.g. zohocrm-python-sdk record samples) or, on recurring tasks, relative `TRIGGER=-P1D` with
 * `TRIGGER_TIME=HH:mm` (zoho-crm-api.md §3), which we resolve against the due date in the user's zone.
 */
import { DateTime } from "luxon";
import { normaliseTask, type Task } from "../../model/index.js";
import { MappingError } from "../errors.js";
import { instantFromOffsetDateTime, instantOf, offsetDateTimeFromInstant } from "../time.js";
import { compact, invert, orNull, present } from "../values.js";
import type { ZohoMappingOptions, ZohoTaskRecord } from "./wire.js";

const STATUS_FROM_ZOHO: Record<string, Task["status"]> = {
  "Not Started": "notStarted",
  "In Progress": "inProgress",
  Completed: "completed",
  "Waiting for input": "waitingOnOthers",
  Deferred: "deferred",
};
const PRIORITY_FROM_ZOHO: Record<string, Task["priority"]> = {
  Lowest: "lowest",
  Low: "low",
  Normal: "normal",
  High: "high",
  Highest: "highest",
};

const STATUS_TO_ZOHO = invert(STATUS_FROM_ZOHO);
const PRIORITY_TO_ZOHO = invert(PRIORITY_FROM_ZOHO);

function picklist<K extends string>(
  field: string,
  value: string | null | undefined,
  table: Record<string, K>,
  empty: K,
): K {
  const text = present(value);
  if (text === undefined || text === "-None-") return empty;
  const mapped = table[text];
  if (mapped === undefined) throw new MappingError(field, value, `not one of ${Object.keys(table).join(", ")}`);
  return mapped;
}

function alarmParts(alarm: string): Map<string, string> {
  return new Map(alarm.split(";").map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]));
}

function reminderFromZoho(record: ZohoTaskRecord, options: ZohoMappingOptions): string | undefined {
  const alarm = present(record.Remind_At?.ALARM);
  if (alarm === undefined) return undefined;
  const parts = alarmParts(alarm);
  const trigger = parts.get("TRIGGER") ?? "";
  if (trigger.startsWith("DATE-TIME:"))
    return instantFromOffsetDateTime("Remind_At", trigger.slice("DATE-TIME:".length));
  const relative = /^-P(\d+)([DW])$/.exec(trigger);
  const due = present(record.Due_Date);
  if (relative === null || due === undefined) throw new MappingError("Remind_At", alarm, "unsupported ALARM trigger");
  const [hour, minute] = (parts.get("TRIGGER_TIME") ?? "00:00").split(":").map(Number);
  const days = Number(relative[1]) * (relative[2] === "W" ? 7 : 1);
  const at = DateTime.fromISO(due, { zone: options.userTimeZone }).minus({ days }).set({ hour, minute });
  if (!at.isValid) throw new MappingError("Remind_At", alarm, "unsupported ALARM trigger");
  return instantOf(at);
}

export function taskFromZoho(record: ZohoTaskRecord, options: ZohoMappingOptions): Task {
  return normaliseTask(
    compact({
      subject: record.Subject ?? "",
      status: picklist("Status", record.Status, STATUS_FROM_ZOHO, "notStarted"),
      priority: picklist("Priority", record.Priority, PRIORITY_FROM_ZOHO, "normal"),
      dueDate: present(record.Due_Date),
      reminderAt: reminderFromZoho(record, options),
      body: present(record.Description),
      categories: [],
    }),
  );
}

export function taskToZoho(task: Task, options: ZohoMappingOptions): ZohoTaskRecord {
  return {
    Subject: task.subject,
    Status: STATUS_TO_ZOHO[task.status],
    Priority: PRIORITY_TO_ZOHO[task.priority],
    Due_Date: orNull(task.dueDate),
    Description: orNull(task.body),
    Remind_At:
      task.reminderAt === undefined
        ? null
        : {
            ALARM: `FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:${offsetDateTimeFromInstant(task.reminderAt, options.userTimeZone)}`,
          },
  };
}
