import {
  Appointment,
  AttendeeInfo,
  AvailabilityData,
  AvailabilityOptions,
  DateTime,
  ExchangeVersion,
  FolderId,
  SendInvitationsMode,
  SuggestionQuality,
  TimeWindow,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";
import { ewsClient } from "./client.js";

/**
 * ews-javascript-api speaks the host's zone (TimeZoneContext; windows as local dates, answers parsed as local
 * times), so the times here are host-local wall-clock times: the suite holds on any host zone (run it with
 * TZ=America/New_York too), which it only does if the simulator answers in the request's zone.
 */
const local = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0) =>
  new Date(year, month, day, hour, minute, second).getTime();

describe("GetUserAvailability meeting suggestions (2016) through ews-javascript-api", () => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016", validateResponses: true });
    sim.control.seed({
      mailboxes: 2,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
  });
  afterAll(async () => {
    expect(sim.control.responseViolations()).toEqual([]);
    await sim.close();
  });
  const client = (mailbox: string) =>
    ewsClient({
      version: ExchangeVersion.Exchange2016,
      url: sim.ewsUrl,
      user: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      impersonate: mailbox,
    });

  it("scores working-hour slots by the share of attendees with a conflict", async () => {
    const bob = client("bob@contoso.com");
    const busy = new Appointment(bob);
    busy.Subject = "Blocked";
    // Tuesday 3 March 2026, 09:00–10:00 host time.
    busy.Start = new DateTime(local(2026, 2, 3, 9, 0, 0));
    busy.End = new DateTime(local(2026, 2, 3, 10, 0, 0));
    await busy.Save(new FolderId(WellKnownFolderName.Calendar), SendInvitationsMode.SendToNone);

    const options = new AvailabilityOptions();
    options.MeetingDuration = 60;
    options.MaximumSuggestionsPerDay = 48;
    options.MinimumSuggestionQuality = SuggestionQuality.Poor;
    options.DetailedSuggestionsWindow = new TimeWindow(
      new DateTime(local(2026, 2, 3)),
      new DateTime(local(2026, 2, 5)),
    );
    const result = await client("alice@contoso.com").GetUserAvailability(
      [new AttendeeInfo("alice@contoso.com"), new AttendeeInfo("bob@contoso.com")],
      new TimeWindow(new DateTime(local(2026, 2, 3)), new DateTime(local(2026, 2, 5))),
      AvailabilityData.FreeBusyAndSuggestions,
      options,
    );
    expect(result.AttendeesAvailability.Responses.map((r) => r.CalendarEvents.length)).toEqual([0, 1]);
    const days = result.Suggestions;
    expect(days).toHaveLength(2);
    const [tuesday, wednesday] = days;
    // 08:00..16:00 starts every half hour: 17 one-hour slots a working day.
    expect(wednesday?.TimeSuggestions).toHaveLength(17);
    expect(wednesday?.Quality).toBe(SuggestionQuality.Excellent);
    const byStart = new Map(
      (tuesday?.TimeSuggestions ?? []).map((s) => [s.MeetingTime.TotalMilliSeconds, SuggestionQuality[s.Quality]]),
    );
    // Half the attendees busy → Poor (>= 50 %), MS-OXWAVLS 3.1.4.1.4.3.
    expect(byStart.get(local(2026, 2, 3, 9, 0, 0))).toBe("Poor");
    expect(byStart.get(local(2026, 2, 3, 8, 30, 0))).toBe("Poor");
    expect(byStart.get(local(2026, 2, 3, 10, 0, 0))).toBe("Excellent");
    expect(byStart.get(local(2026, 2, 3, 8, 0, 0))).toBe("Excellent");
  });

  it("drops slots below MinimumSuggestionQuality (default Fair)", async () => {
    const options = new AvailabilityOptions();
    options.MeetingDuration = 60;
    options.MaximumSuggestionsPerDay = 48;
    options.DetailedSuggestionsWindow = new TimeWindow(
      new DateTime(local(2026, 2, 3)),
      new DateTime(local(2026, 2, 4)),
    );
    const result = await client("alice@contoso.com").GetUserAvailability(
      [new AttendeeInfo("alice@contoso.com"), new AttendeeInfo("bob@contoso.com")],
      new TimeWindow(new DateTime(local(2026, 2, 3)), new DateTime(local(2026, 2, 4))),
      AvailabilityData.Suggestions,
      options,
    );
    const [tuesday] = result.Suggestions;
    expect(tuesday?.TimeSuggestions.map((s) => SuggestionQuality[s.Quality])).toEqual(Array(14).fill("Excellent"));
  });
});
