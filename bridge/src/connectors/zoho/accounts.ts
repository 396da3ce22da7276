/**
 * Company name → Account id, for the Contacts `Account_Name` lookup (zoho-crm-api.md §3).
 *
 * Resolved in bulk per write batch: one exact COQL query per 50 unknown names (`Account_Name in (…)`; search would
 * miss Accounts created seconds ago), then one insert of up to 100 missing Accounts. Names compare
 * case-insensitively; ids are cached for the connector's lifetime.
 */
import { ConnectorError } from "../errors.js";
import { requestError, type ZohoClient, type ZohoJson } from "./client.js";
import { coqlString } from "./mail.js";

const NAMES_PER_QUERY = 50;
const MAX_BATCH = 100;

export class AccountResolver {
  private readonly ids = new Map<string, string>();

  constructor(private readonly client: ZohoClient) {}

  async resolve(names: readonly string[]): Promise<void> {
    const unknown = [...new Map(names.map((name) => [name.toLowerCase(), name])).values()].filter(
      (name) => !this.ids.has(name.toLowerCase()),
    );
    for (let start = 0; start < unknown.length; start += NAMES_PER_QUERY) {
      const slice = unknown.slice(start, start + NAMES_PER_QUERY);
      const answer = await this.client.request({
        method: "POST",
        path: "coql",
        heavy: true,
        body: {
          select_query: `select Account_Name from Accounts where Account_Name in (${slice.map(coqlString).join(", ")}) limit 2000`,
        },
      });
      if (answer.status !== 200 && answer.status !== 204) throw requestError(answer, "find accounts");
      for (const row of (answer.json?.data as ZohoJson[] | undefined) ?? []) {
        const key = String(row.Account_Name).toLowerCase();
        if (!this.ids.has(key)) this.ids.set(key, String(row.id));
      }
    }
    const missing = unknown.filter((name) => !this.ids.has(name.toLowerCase()));
    for (let start = 0; start < missing.length; start += MAX_BATCH) {
      const slice = missing.slice(start, start + MAX_BATCH);
      const created = await this.client.request({
        method: "POST",
        path: "Accounts",
        heavy: slice.length > 10,
        body: { data: slice.map((name) => ({ Account_Name: name })), trigger: [] },
      });
      const results = (created.json?.data as ZohoJson[] | undefined) ?? [];
      if (results.length !== slice.length) throw requestError(created, "create accounts");
      results.forEach((item, index) => {
        if (item.status === "success") this.ids.set(slice[index].toLowerCase(), String((item.details as ZohoJson).id));
      });
    }
  }

  /** The id of a resolved name (resolving it alone if `resolve` was not called for it). */
  async idOf(name: string): Promise<string> {
    const key = name.toLowerCase();
    if (!this.ids.has(key)) await this.resolve([name]);
    const id = this.ids.get(key);
    if (!id)
      throw new ConnectorError({ kind: "invalid-record", message: "Zoho refused to create the company's Account" });
    return id;
  }
}
