/**
 * End to end over real HTTPS: calendar events between a simulated on-prem mailbox (EWS 2010 SP2 and 2016, responses
 * validated against the release's XSD) and the Zoho simulator, through the production connectors, the model's event
 * sync module and the sync engine — the events journey of support.ts (`eventsJourney`) under both conflict rules and
 * both one-way directions.
 *
 * A weekly series with a moved (own subject) and a cancelled occurrence starts in the mailbox, a single meeting in
 * Zoho. Zoho holds neither moved nor cancelled occurrences, so a CRM edit written back to the series must keep them
 * (they travel as OccurrenceItemId writes). A repeated sync makes no write call on either side, counted at the ports
 * and in both simulators' own call logs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerRelease } from "../../simulators/ews/index.js";
import { type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import type { EwsVersionName } from "../../src/connectors/ews/index.js";
import type { RecordPort } from "../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import type { CalendarEvent } from "../../src/model/index.js";
import { eventSyncModule } from "../../src/model/sync-modules.js";
import { type Alice2016, connectAlice } from "../connectors/ews/alice-2016.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { testPki } from "../support/pki.js";
import { eventsJourney, ewsWireWrites, SYNC_RULES, zohoWireWrites } from "./support.js";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

describe.each(SERVERS)("end to end: EWS %s ⇄ Zoho events", (release, version) => {
  let zoho: RunningZohoSimulator;
  let alice: Alice2016;
  let crm: ZohoCrmPort;
  let events: RecordPort<CalendarEvent>;
  const wireWrites = () => ewsWireWrites(alice.sim) + zohoWireWrites(zoho);

  beforeAll(async () => {
    zoho = await startZohoSimulator({ pki: await testPki() });
    alice = await connectAlice({ release, version, portOptions: { mailboxTimeZone: "UTC" } });
    crm = (await connectZoho(zoho)).crm;
    const port = alice.exchange.modules.events;
    if (!port) throw new Error("no EWS events port");
    events = port;
  });
  afterAll(async () => {
    if (alice) expect(alice.sim.control.responseViolations()).toEqual([]);
    await alice?.close();
    await zoho?.close();
  });

  it.each(SYNC_RULES)("$name: single events and a series with a moved and a cancelled occurrence", (rule) =>
    eventsJourney({
      module: eventSyncModule("ews"),
      events,
      crmEvents: crm.modules.events,
      rule,
      tag: `${release}-${rule.name.replace(/\W+/g, "-")}`,
      wireWrites,
    }),
  );
});
