/**
 * Test helper: turns recorded EWS XML into the plain XSD-named objects the EWS mappings take, the way the EWS
 * connector does from ews-javascript-api objects — dictionary and list wrappers (`Entry`, `Attendee`, `String`…)
 * become arrays, element text becomes `value`, and the few numeric/boolean elements get their types.
 */
import { readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";

const LIST_WRAPPERS: Record<string, string> = {
  EmailAddresses: "Entry",
  PhoneNumbers: "Entry",
  PhysicalAddresses: "Entry",
  Categories: "String",
  RequiredAttendees: "Attendee",
  OptionalAttendees: "Attendee",
  Resources: "Attendee",
  ModifiedOccurrences: "Occurrence",
  DeletedOccurrences: "DeletedOccurrence",
  ToRecipients: "Mailbox",
  CcRecipients: "Mailbox",
};
const NUMBERS = new Set(["Interval", "NumberOfOccurrences", "DayOfMonth", "ReminderMinutesBeforeStart", "Size"]);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "value",
  parseTagValue: false,
  parseAttributeValue: false,
  // Only entries directly under a list wrapper are lists (Organizer/Mailbox is a single element).
  isArray: (name, path) => LIST_WRAPPERS[String(path).split(".").at(-2) ?? ""] === name,
});

function plain(key: string, node: unknown): unknown {
  if (typeof node === "string") {
    if (NUMBERS.has(key)) return Number(node);
    return node === "true" ? true : node === "false" ? false : node;
  }
  if (node === null || typeof node !== "object") return node;
  const wrapper = LIST_WRAPPERS[key];
  if (wrapper !== undefined) {
    const items = (node as Record<string, unknown[]>)[wrapper] ?? [];
    return items.map((item) => plain(wrapper, item));
  }
  return Object.fromEntries(Object.entries(node).map(([child, value]) => [child, plain(child, value)]));
}

/** Every item of the given element name (`CalendarItem`, `Contact`, `Task`, `Message`) in a recorded response. */
export function ewsItems<T>(path: string, element: string): T[] {
  const found: T[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "ConflictingMeetings" || key === "AdjacentMeetings") continue;
      if (key === element)
        for (const item of Array.isArray(value) ? value : [value]) found.push(plain(element, item) as T);
      else walk(value);
    }
  };
  walk(parser.parse(readFileSync(path, "utf8")));
  return found;
}
