import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import { createEwsExchangePort, type EwsModuleValues, type EwsVersionName } from "../../../src/connectors/ews/index.js";
import type { ExchangePort, RecordPort } from "../../../src/connectors/port.js";
import type { CalendarEvent } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";

const SERVICE = "CONTOSO\\svc-crm";
const MAILBOX = "alice@contoso.com";
const ATTENDEE = "bob@contoso.com";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

function meeting(subject: string): CalendarEvent {
  return {
    subject,
    span: { kind: "timed", start: "2026-06-02T09:00:00Z", end: "2026-06-02T10:00:00Z" },
    attendees: [{ address: ATTENDEE, type: "required", response: "notResponded" }],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
}

for (const [release, version] of SERVERS) {
  describe(`EWS per-request notifyAttendees on ${release}`, () => {
    let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
    let exchange: ExchangePort<EwsModuleValues>;
    let events: RecordPort<CalendarEvent>;

    const invitations = () =>
      sim.control.user
        .list(ATTENDEE, "inbox")
        .filter((item) => item.kind === "MeetingRequest")
        .map((item) => item.props.find((p) => p.name === "Subject")?.text);

    beforeEach(async () => {
      sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
      sim.control.seed({
        mailboxes: 2,
        contactsPerMailbox: 0,
        meetingsPerMailbox: 0,
        tasksPerMailbox: 0,
        mailsPerMailbox: 0,
      });
      // The connector-wide option is on: per-request `notifyAttendees` must still decide creates and updates.
      exchange = await createEwsExchangePort(
        {
          mailbox: MAILBOX,
          url: sim.ewsUrl,
          version,
          username: SERVICE,
          password: "Pa55w.rd",
          auth: "basic",
          impersonate: true,
        },
        { mailboxTimeZone: "UTC", sendInvitations: true },
      );
      if (!exchange.modules.events) throw new Error("no events port");
      events = exchange.modules.events;
    });

    afterEach(async () => {
      await exchange.close();
      expect(sim.control.responseViolations()).toEqual([]);
      await sim.close();
    });

    it("invites attendees only for the requests that ask, in one call's input order", async () => {
      const created = await events.create([
        { value: meeting("Quiet") },
        { value: meeting("Announced"), notifyAttendees: true },
        { value: meeting("Also quiet"), notifyAttendees: false },
      ]);
      expect(created.map((result) => result.ok && result.value.value.subject)).toEqual([
        "Quiet",
        "Announced",
        "Also quiet",
      ]);
      expect(invitations()).toEqual(["Announced"]);

      const [quiet, , alsoQuiet] = created;
      if (!quiet?.ok || !alsoQuiet?.ok) throw new Error("create failed");
      const updated = await events.update([
        { id: quiet.value.id, expectedVersion: quiet.value.version, value: meeting("Quiet, moved") },
        {
          id: alsoQuiet.value.id,
          expectedVersion: alsoQuiet.value.version,
          value: meeting("Now announced"),
          notifyAttendees: true,
        },
      ]);
      expect(updated.every((result) => result.ok)).toBe(true);
      expect(invitations().sort()).toEqual(["Announced", "Now announced"]);
    });
  });
}
