/** EWS free/busy end to end: the EWS port's GetUserAvailability against the 2016 simulator, over HTTPS. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEwsSimulator } from "../../../simulators/ews/index.js";
import { mergeFreeBusy } from "../../../src/connectors/ews/free-busy.js";
import { createEwsExchangePort, type EwsExchangePort } from "../../../src/connectors/ews/index.js";
import { testPki } from "../../support/pki.js";

describe("EWS free/busy (Exchange 2016)", () => {
  let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
  let exchange: EwsExchangePort;

  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016", validateResponses: true });
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
      version: "Exchange2016",
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "basic",
      impersonate: true,
    });
  });

  afterAll(async () => {
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
