/**
 * The records a user filed each e-mail on from the add-in, keyed by the RFC Message-ID (case-folded): the server's
 * "already in CRM" answer, the same on every device and after the message moved to another folder.
 */
import type { Kysely } from "kysely";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database } from "./schema.js";

export type FiledRecordModule = "Contacts" | "Leads" | "Accounts" | "Deals";

export interface FiledRecord {
  readonly module: FiledRecordModule;
  readonly id: string;
  readonly name: string;
}

const MODULES: readonly string[] = ["Contacts", "Leads", "Accounts", "Deals"] satisfies FiledRecordModule[];

export class EmailAssociationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The records `userId` filed the message on, oldest first. */
  async recordsFor(userId: string, internetMessageId: string): Promise<FiledRecord[]> {
    const rows = await this.db
      .selectFrom("email_associations")
      .select(["record_module", "record_id", "record_name"])
      .where("user_id", "=", userId)
      .where("internet_message_id", "=", internetMessageId.toLowerCase())
      .orderBy("filed_at")
      .orderBy("record_id")
      .execute();
    return rows.map((row) => {
      if (!MODULES.includes(row.record_module)) {
        throw new Error(`email_associations holds an unknown module ${JSON.stringify(row.record_module)}`);
      }
      return { module: row.record_module as FiledRecordModule, id: row.record_id, name: row.record_name };
    });
  }

  /** Remembers that the message was filed on `record`; filing it on the same record again keeps the first row. */
  async remember(userId: string, mailbox: string, internetMessageId: string, record: FiledRecord): Promise<void> {
    await this.db
      .insertInto("email_associations")
      .values({
        user_id: userId,
        mailbox,
        internet_message_id: internetMessageId.toLowerCase(),
        record_module: record.module,
        record_id: record.id,
        record_name: record.name,
        filed_at: isoNow(this.clock),
      })
      .onConflict((oc) => oc.columns(["user_id", "internet_message_id", "record_module", "record_id"]).doNothing())
      .execute();
  }
}
