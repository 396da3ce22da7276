/**
 * E-mail on the Zoho side (zoho-crm-api.md §4):
 * - people by e-mail: COQL on Contacts and Leads (`Email in (…)` / `Secondary_Email in (…)`), exact and without the
 *   search index lag, 50 addresses per query;
 * - filing: `associate_email` with the RFC Message-ID as `original_message_id`; Zoho's DUPLICATE_DATA for a
 *   repeated Message-ID on the record means "already filed" and is reported as success (idempotent retries).
 * Attachments are not uploaded to Zoho's file store yet, so mail is filed without them.
 */
import { MappingError } from "../../mapping/errors.js";
import { emailToZoho } from "../../mapping/zoho/email.js";
import type { Email } from "../../model/index.js";
import { failed, type ItemResult, succeeded } from "../errors.js";
import type { CrmPersonRef, MailItem } from "../port.js";
import { requestError, type ZohoClient, type ZohoJson } from "./client.js";

const ADDRESSES_PER_QUERY = 50;

/** COQL string literal: quotes doubled (zoho-crm-api.md §2.5). */
export function coqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export class ZohoMailPort {
  constructor(
    private readonly client: ZohoClient,
    private readonly userTimeZone: string,
  ) {}

  async findPeopleByEmail(addresses: readonly string[]): Promise<readonly CrmPersonRef[]> {
    const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
    const people: CrmPersonRef[] = [];
    for (let start = 0; start < wanted.length; start += ADDRESSES_PER_QUERY) {
      const list = wanted
        .slice(start, start + ADDRESSES_PER_QUERY)
        .map(coqlString)
        .join(", ");
      for (const module of ["Contacts", "Leads"] as const) {
        const answer = await this.client.request({
          method: "POST",
          path: "coql",
          heavy: true,
          body: {
            select_query: `select Email, Secondary_Email from ${module} where (Email in (${list}) or Secondary_Email in (${list})) limit 2000`,
          },
        });
        if (answer.status === 204) continue;
        if (answer.status !== 200) throw requestError(answer, `find ${module} by e-mail`);
        for (const row of (answer.json?.data as ZohoJson[] | undefined) ?? []) {
          const email = [row.Email, row.Secondary_Email].find(
            (value) => typeof value === "string" && wanted.includes(value.toLowerCase()),
          );
          if (typeof email === "string") people.push({ module, id: String(row.id), email });
        }
      }
    }
    return people;
  }

  async associateEmail(person: CrmPersonRef, message: MailItem<Email>): Promise<ItemResult<void>> {
    let element: ZohoJson;
    try {
      element = { ...emailToZoho(message.value, { userTimeZone: this.userTimeZone }) };
    } catch (error) {
      if (error instanceof MappingError)
        return failed({ kind: "invalid-record", message: error.message, field: error.field });
      throw error;
    }
    element.original_message_id = message.messageId;
    const answer = await this.client.request({
      method: "POST",
      path: `${person.module}/${person.id}/actions/associate_email`,
      body: { Emails: [element] },
    });
    const item = (answer.json?.Emails as ZohoJson[] | undefined)?.[0];
    if (item?.status === "success" || item?.code === "DUPLICATE_DATA") return succeeded(undefined);
    if (item) return failed({ kind: "invalid-record", message: `${String(item.code)}: ${String(item.message)}` });
    if (answer.json?.code === "INVALID_DATA" && answer.status === 400) {
      return failed({ kind: "not-found", message: `${person.module} ${person.id} is gone` });
    }
    throw requestError(answer, "associate e-mail");
  }
}
