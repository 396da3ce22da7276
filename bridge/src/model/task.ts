/**
 * Canonical task. Due and start dates are floating dates (no zone): Zoho `Due_Date` is a plain date, and Exchange's
 * due/start are whole days whatever time part the wire carries. Priority has Zoho's five levels; Exchange keeps three
 * (lowest→low, highest→high on the way in).
 */
import { z } from "zod";
import { categoriesSchema, instantSchema, localDateSchema } from "./primitives.js";

export const taskStatuses = ["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"] as const;
export const taskPriorities = ["lowest", "low", "normal", "high", "highest"] as const;

export const taskSchema = z.object({
  subject: z.string(),
  status: z.enum(taskStatuses),
  priority: z.enum(taskPriorities),
  dueDate: localDateSchema.optional(),
  startDate: localDateSchema.optional(),
  /** Day the task was completed; present only when status is completed on sides that record it. */
  completedDate: localDateSchema.optional(),
  /** Absolute reminder time; absent = no reminder. */
  reminderAt: instantSchema.optional(),
  /** Plain text. */
  body: z.string().optional(),
  categories: categoriesSchema,
});
export type Task = z.infer<typeof taskSchema>;
