/** Canonical model: the shapes every connector maps to and the sync core compares. */
export * from "./contact.js";
export * from "./email.js";
export * from "./event.js";
export * from "./normalise.js";
export * from "./primitives.js";
export * from "./sync-modules.js";
export * from "./task.js";
export * from "./timezone.js";

import type { Contact } from "./contact.js";
import type { CalendarEvent } from "./event.js";
import type { Task } from "./task.js";

/** The modules that sync both ways (e-mail is filed one way and has no relation rows). */
export type SyncedRecord = Contact | CalendarEvent | Task;
