/**
 * EWS free/busy end to end: the EWS port's GetUserAvailability against the 2007 SP1, 2010 SP2 and 2016 simulators,
 * over HTTPS (responses validated against each release's XSD, requests against its schema — 2007 SP1 requires the
 * body's TimeZone). Holds on any host zone (the window and answers are UTC instants): run it with TZ set too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import { serializableTimeZone } from "../../../src/connectors/ews/availability-zone.js";
import { mergeFreeBusy } from "../../../src/connectors/ews/free-busy.js";
import { createEwsExchangePort, type EwsExchangePort, type EwsVersionName } from "../../../src/connectors/ews/index.js";
import { testPki } from "../../support/pki.js";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2007SP1", "Exchange2007_SP1"],
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

describe.each(SERVERS)("EWS free/busy (%s)", (release, version) => {
  let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
  let exchange: EwsExchangePort;

  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
    sim.control.seed({
      mailboxes: 2,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    const meeting = (smtp: string, start: string, end: string, status: string) =>
      sim.control.user.create(smtp, "calendar", "CalendarItem", {
        Subject: `${status} block`,
        Start: start,
        End: end,
        LegacyFreeBusyStatus: status,
      });
    meeting("alice@contoso.com", "2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z", "Busy");
    meeting("alice@contoso.com", "2026-06-01T10:30:00Z", "2026-06-01T11:00:00Z", "Tentative");
    meeting("bob@contoso.com", "2026-06-01T09:30:00Z", "2026-06-01T10:00:00Z", "OOF");
    // Outside the asked window: must not show.
    meeting("bob@contoso.com", "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z", "Busy");
    exchange = await createEwsExchangePort({
      mailbox: "alice@contoso.com",
      url: sim.ewsUrl,
      version,
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "basic",
      impersonate: true,
    });
  });

  afterAll(async () => {
    expect(sim.control.responseViolations()).toEqual([]);
    await exchange.close();
    await sim.close();
  });

  it("answers each mailbox's busy spans and a merged 30-minute view in Graph's digits", async () => {
    const schedules = await exchange.freeBusy(
      ["alice@contoso.com", "bob@contoso.com"],
      "2026-06-01T08:00:00Z",
      "2026-06-01T12:00:00Z",
      30,
    );
    expect(schedules.map(({ address, availabilityView, busy }) => ({ address, availabilityView, busy }))).toEqual([
      {
        address: "alice@contoso.com",
        availabilityView: "00220100",
        busy: [
          { status: "busy", start: "2026-06-01T09:00:00Z", end: "2026-06-01T10:00:00Z" },
          { status: "tentative", start: "2026-06-01T10:30:00Z", end: "2026-06-01T11:00:00Z" },
        ],
      },
      {
        address: "bob@contoso.com",
        availabilityView: "00030000",
        busy: [{ status: "oof", start: "2026-06-01T09:30:00Z", end: "2026-06-01T10:00:00Z" }],
      },
    ]);
    expect(sim.control.callCounts()["ews.GetUserAvailability"]).toBe(1);
  });

  it("leaves out an address the server has no mailbox for", async () => {
    const schedules = await exchange.freeBusy(
      ["nobody@contoso.com", "bob@contoso.com"],
      "2026-06-01T09:00:00Z",
      "2026-06-01T10:00:00Z",
      60,
    );
    expect(schedules.map((schedule) => [schedule.address, schedule.availabilityView])).toEqual([
      ["bob@contoso.com", "3"],
    ]);
  });
});

describe("mergeFreeBusy", () => {
  it("lets the strongest status win a slot that several events overlap", () => {
    const view = mergeFreeBusy(
      [
        { status: "tentative", start: "2026-06-01T09:00:00Z", end: "2026-06-01T10:00:00Z" },
        { status: "busy", start: "2026-06-01T09:15:00Z", end: "2026-06-01T09:45:00Z" },
        { status: "workingElsewhere", start: "2026-06-01T10:00:00Z", end: "2026-06-01T11:00:00Z" },
      ],
      "2026-06-01T09:00:00Z",
      "2026-06-01T11:00:00Z",
      30,
    );
    expect(view).toBe("2244");
  });
});

describe("serializableTimeZone (2007 SP1's body TimeZone)", () => {
  it("states a zone's changes as Windows rules: UTC = local + Bias, on the n-th (5 = last) weekday", () => {
    expect(serializableTimeZone("America/New_York", 2026)).toEqual({
      bias: 300,
      daylight: { bias: -60, time: "02:00:00", dayOrder: 2, month: 3, dayOfWeek: "Sunday" },
      standard: { bias: 0, time: "02:00:00", dayOrder: 1, month: 11, dayOfWeek: "Sunday" },
    });
    expect(serializableTimeZone("Europe/Berlin", 2026)).toMatchObject({
      bias: -60,
      daylight: { bias: -60, time: "02:00:00", dayOrder: 5, month: 3, dayOfWeek: "Sunday" },
      standard: { bias: 0, time: "03:00:00", dayOrder: 5, month: 10, dayOfWeek: "Sunday" },
    });
    expect(serializableTimeZone("Asia/Kolkata", 2026)).toMatchObject({
      bias: -330,
      daylight: { bias: 0 },
      standard: { bias: 0 },
    });
  });
});
