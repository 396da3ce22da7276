/**
 * The Exchange port over EWS (on-prem Exchange 2007 SP1 – 2019) with ews-javascript-api.
 *
 * One session per mailbox (impersonation or the user's own credentials); the request version is chosen per
 * server by configuration. Modules are RecordPorts over their well-known folder; see record-port.ts for the
 * sync, write and error rules and session.ts for authentication and the ErrorServerBusy back-off.
 */
import type { CalendarEvent, Contact, Email, Task } from "../../model/index.js";
import type { ExchangePort, ModuleValues } from "../port.js";
import { contactCodec } from "./contacts.js";
import { eventCodec } from "./events.js";
import { ewsFreeBusy, type FreeBusyCall } from "./free-busy.js";
import { ewsMailPort } from "./mail.js";
import { type EwsPortOptions, EwsRecordPort } from "./record-port.js";
import { type EwsConnectionOptions, EwsSession } from "./session.js";
import { taskCodec } from "./tasks.js";

export type { EwsPortOptions } from "./record-port.js";
export type { EwsConnectionOptions, EwsVersionName } from "./session.js";
export { EwsTransportError } from "./transport.js";

export interface EwsModuleValues extends ModuleValues {
  readonly contacts: Contact;
  readonly tasks: Task;
  readonly events: CalendarEvent;
}

export interface EwsExchangePort extends ExchangePort<EwsModuleValues, Email> {
  /** Free/busy through GetUserAvailability, shaped as the Graph port's `freeBusy` (see free-busy.ts). */
  readonly freeBusy: FreeBusyCall;
}

export async function createEwsExchangePort(
  connection: EwsConnectionOptions,
  options: EwsPortOptions = {},
): Promise<EwsExchangePort> {
  const session = await EwsSession.open(connection);
  const contacts = new EwsRecordPort(session, contactCodec, options);
  const tasks = new EwsRecordPort(session, taskCodec(options.mailboxTimeZone ?? "UTC"), options);
  const events = new EwsRecordPort(
    session,
    eventCodec(session, {
      mailboxTimeZone: options.mailboxTimeZone ?? "UTC",
      sendInvitations: options.sendInvitations,
    }),
    options,
  );
  return {
    side: "exchange",
    implementation: "ews",
    mailbox: connection.mailbox,
    modules: { contacts, tasks, events },
    mail: ewsMailPort(session, options.batchSize ?? 100, options.maxChanges ?? 512),
    freeBusy: ewsFreeBusy(session),
    close: async () => {
      session.service.XHRApi.disconnect();
    },
  };
}
