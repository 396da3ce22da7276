/**
 * End to end over real HTTPS: calendar events between a simulated on-prem mailbox (EWS 2010 SP2 and 2016, responses
 * validated against the release's XSD) and the Zoho simulator, through the production connectors, the model's event
 * sync module and the sync engine.
 *
 * A weekly series with a moved and a cancelled occurrence starts in the mailbox, a single meeting in Zoho; both
 * conflict rules and both one-way directions. Zoho holds neither moved nor cancelled occurrences, so a CRM edit
 * written back to the series must keep them (they travel as OccurrenceItemId writes). After each sync a repeated
 * sync makes no write call on either side, counted both at the ports and in the simulators' own call logs.
 */
import { DateTime } from "luxon";
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
import { all, edit, must, pairing, readValue, SYNC_RULES } from "./support.js";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

/** Monday 09:00 UTC about two weeks ahead. */
const SERIES_START = DateTime.utc().plus({ weeks: 2 }).startOf("week").set({ hour: 9 });
const iso = (time: DateTime) => time.toISO({ suppressMilliseconds: true }) ?? "";
const occurrence = (week: number, hours = 0) => iso(SERIES_START.plus({ weeks: week, hours }));

/** A weekly series of six, its second occurrence moved to the afternoon with its own subject, its third cancelled. */
const series = (subject: string): CalendarEvent => ({
  subject,
  span: { kind: "timed", start: occurrence(0), end: occurrence(0, 1) },
  timeZone: "UTC",
  location: "Room 1",
  attendees: [],
  recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 6 } },
  movedOccurrences: [
    {
      originalStart: occurrence(1),
      span: { kind: "timed", start: occurrence(1, 5), end: occurrence(1, 6) },
      subject: `${subject} (afternoon)`,
    },
  ],
  cancelledOccurrences: [occurrence(2)],
  categories: [],
  sensitivity: "normal",
});

const meeting = (subject: string): CalendarEvent => ({
  subject,
  span: { kind: "timed", start: occurrence(0, 3), end: occurrence(0, 4) },
  location: "Room 2",
  attendees: [],
  movedOccurrences: [],
  cancelledOccurrences: [],
  categories: [],
  sensitivity: "normal",
});

const EWS_WRITES = new Set(["ews.CreateItem", "ews.UpdateItem", "ews.DeleteItem"]);
const ZOHO_WRITES = new Set(["records.insert", "records.update", "records.delete", "records.upsert"]);

describe.each(SERVERS)("end to end: EWS %s ⇄ Zoho events", (release, version) => {
  let zoho: RunningZohoSimulator;
  let alice: Alice2016;
  let crm: ZohoCrmPort;
  let events: RecordPort<CalendarEvent>;
  /** Write calls the two simulators have answered so far. */
  const wireWrites = () => {
    const ews = Object.entries(alice.sim.control.callCounts()).filter(([endpoint]) => EWS_WRITES.has(endpoint));
    return ews.reduce((sum, [, count]) => sum + count, 0) + zoho.control.totalCalls((e) => ZOHO_WRITES.has(e));
  };

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

  it.each(SYNC_RULES)("$name: single events and a series with a moved and a cancelled occurrence", async (rule) => {
    const tag = `${release}-${rule.name.replace(/\W+/g, "-")}`;
    const pair = pairing(eventSyncModule("ews"), events, crm.modules.events, rule);
    const quietSync = async () => {
      const [ports, wire] = [pair.writes(), wireWrites()];
      await pair.sync();
      expect([pair.writes(), wireWrites()]).toEqual([ports, wire]);
    };
    const inMailbox = must((await events.create([{ value: series(`Series ${tag}`) }]))[0]);
    const inCrm = must((await crm.modules.events.create([{ value: meeting(`Meeting ${tag}`) }]))[0]);
    await pair.sync();
    const subjects = async (port: RecordPort<CalendarEvent>) =>
      (await all(port)).map((value) => value.subject).filter((subject) => subject.endsWith(tag));
    const toCrm = rule.settings.direction !== "crm-to-exchange";
    const toMailbox = rule.settings.direction !== "exchange-to-crm";
    expect((await subjects(crm.modules.events)).sort()).toEqual(
      toCrm ? [`Meeting ${tag}`, `Series ${tag}`] : [`Meeting ${tag}`],
    );
    expect((await subjects(events)).sort()).toEqual(
      toMailbox ? [`Meeting ${tag}`, `Series ${tag}`] : [`Series ${tag}`],
    );
    if (toCrm) {
      const crmSeries = await readValue(crm.modules.events, await pair.partnerOf("exchange", inMailbox.id));
      expect(crmSeries.recurrence).toMatchObject({ frequency: "weekly", byWeekday: ["MO"] });
    }
    if (toMailbox) {
      const copied = await readValue(events, await pair.partnerOf("crm", inCrm.id));
      expect(copied).toMatchObject({ location: "Room 2", span: meeting("").span });
    }
    await quietSync();

    if (rule.settings.direction === "two-way") {
      const crmId = await pair.partnerOf("exchange", inMailbox.id);
      await edit(events, inMailbox.id, (value) => ({ ...value, location: "Exchange room" }));
      await edit(crm.modules.events, crmId, (value) => ({ ...value, location: "CRM room", body: "agenda" }));
      await pair.sync();
      const winner = rule.settings.conflictRule === "crm-wins" ? "CRM room" : "Exchange room";
      const mailboxSeries = await readValue(events, inMailbox.id);
      expect(mailboxSeries).toMatchObject({ location: winner, body: "agenda" });
      expect(await readValue(crm.modules.events, crmId)).toMatchObject({ location: winner, body: "agenda" });
      // Writing the CRM's side back to the series keeps the exceptions Zoho cannot hold.
      expect(mailboxSeries.movedOccurrences).toEqual(series(`Series ${tag}`).movedOccurrences);
      expect(mailboxSeries.cancelledOccurrences).toEqual([occurrence(2)]);
    } else {
      const [source, target, sourceId] =
        rule.settings.direction === "exchange-to-crm"
          ? ([events, crm.modules.events, inMailbox.id] as const)
          : ([crm.modules.events, events, inCrm.id] as const);
      const targetId = await pair.partnerOf(source === events ? "exchange" : "crm", sourceId);
      await edit(source, sourceId, (value) => ({ ...value, location: "moved at the source" }));
      await pair.sync();
      expect(await readValue(target, targetId)).toMatchObject({ location: "moved at the source" });
      await edit(target, targetId, (value) => ({ ...value, subject: `${value.subject} (target edit)` }));
      await pair.sync();
      expect((await readValue(source, sourceId)).subject).not.toContain("target edit");
    }
    await quietSync();
  });
});
