/**
 * Prefills "create contact / lead" from an e-mail's sender: the name from the display name (or the address's local
 * part), the company from the address's domain unless it is a public mail provider, where the domain says nothing
 * about the employer.
 */
import type { AddinRequest } from "../../../bridge/src/api/addin.js";
import type { MailPerson } from "../office/host.js";

export type PersonDraft = AddinRequest<"createPerson">;

const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "yahoo.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "proton.me",
  "protonmail.com",
  "zoho.com",
]);

/** Second-level labels that sit under a country code (acme.co.uk → acme). */
const GENERIC_SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov"]);

const capitalise = (word: string) => (word ? word[0]?.toUpperCase() + word.slice(1) : word);

export function companyFromAddress(email: string): string | null {
  const domain = email.split("@")[1]?.toLowerCase();
  if (!domain || PUBLIC_MAIL_DOMAINS.has(domain)) return null;
  const labels = domain.split(".");
  labels.pop();
  if (labels.length > 1 && GENERIC_SECOND_LEVEL.has(labels[labels.length - 1] ?? "")) labels.pop();
  const organisation = labels[labels.length - 1];
  return organisation ? organisation.split(/[-_]/).map(capitalise).join(" ") : null;
}

export function splitName(person: MailPerson): { firstName: string | null; lastName: string } {
  const display = person.name.trim();
  const fromAddress = display === "" || display.toLowerCase() === person.email.toLowerCase();
  if (!fromAddress && display.includes(",")) {
    // "Kim, Dana" — the directory's "Last, First" form.
    const [last = "", first = ""] = display.split(",", 2).map((s) => s.trim());
    return { firstName: first || null, lastName: last || display };
  }
  const words = fromAddress
    ? (person.email.split("@")[0] ?? "")
        .split(/[._-]+/)
        .filter(Boolean)
        .map(capitalise)
    : display.split(/\s+/);
  if (words.length <= 1) return { firstName: null, lastName: words[0] ?? person.email };
  return { firstName: words.slice(0, -1).join(" "), lastName: words[words.length - 1] ?? "" };
}

export function draftFromSender(person: MailPerson, module: PersonDraft["module"]): PersonDraft {
  return {
    module,
    ...splitName(person),
    email: person.email,
    company: companyFromAddress(person.email),
    title: null,
    phone: null,
  };
}
