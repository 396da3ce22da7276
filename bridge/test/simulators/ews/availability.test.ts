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
import { post, soap } from "./raw.js";

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

describe("GetUserAvailability in the body's TimeZone (2007 SP1), raw SOAP", () => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2007SP1", validateResponses: true });
    sim.control.seed({
      mailboxes: 2,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    for (const [start, end] of [
      ["2026-06-01T13:00:00Z", "2026-06-01T14:00:00Z"],
      ["2026-01-15T14:00:00Z", "2026-01-15T15:00:00Z"],
    ]) {
      sim.control.user.create("bob@contoso.com", "calendar", "CalendarItem", {
        Subject: "Busy",
        Start: start,
        End: end,
      });
    }
  });
  afterAll(async () => {
    expect(sim.control.responseViolations()).toEqual([]);
    await sim.close();
  });

  /** US Eastern as Windows states it: UTC = local + 300 min, −60 from the 2nd Sunday of March to the 1st of November. */
  const EASTERN =
    "<t:TimeZone><t:Bias>300</t:Bias>" +
    "<t:StandardTime><t:Bias>0</t:Bias><t:Time>02:00:00</t:Time><t:DayOrder>1</t:DayOrder><t:Month>11</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime>" +
    "<t:DaylightTime><t:Bias>-60</t:Bias><t:Time>02:00:00</t:Time><t:DayOrder>2</t:DayOrder><t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime>" +
    "</t:TimeZone>";
  const request = (zone: string, day: string) =>
    soap(
      `<m:GetUserAvailabilityRequest>${zone}<m:MailboxDataArray><t:MailboxData><t:Email><t:Address>bob@contoso.com</t:Address></t:Email><t:AttendeeType>Required</t:AttendeeType></t:MailboxData></m:MailboxDataArray>` +
        `<t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>${day}T00:00:00</t:StartTime><t:EndTime>${day}T23:59:59</t:EndTime></t:TimeWindow><t:RequestedView>FreeBusy</t:RequestedView></t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>`,
      "Exchange2007_SP1",
      "PrimarySmtpAddress",
    );
  const times = (text: string) => [...text.matchAll(/<t:StartTime>([^<]+)<\/t:StartTime>/g)].map((m) => m[1]);

  it("reads the window and answers the events in that zone, summer and winter alike", async () => {
    const summer = await post(sim, request(EASTERN, "2026-06-01"));
    expect(summer.status).toBe(200);
    expect(times(summer.text)).toEqual(["2026-06-01T09:00:00"]);
    const winter = await post(sim, request(EASTERN, "2026-01-15"));
    expect(times(winter.text)).toEqual(["2026-01-15T09:00:00"]);
  });

  it("refuses a request without it, as the 2007 SP1 schema requires", async () => {
    const answer = await post(sim, request("", "2026-06-01"));
    expect(answer.status).toBe(500);
    expect(answer.text).toContain("ErrorSchemaValidation");
    expect(answer.text).toContain(
      "Expected is ( {http://schemas.microsoft.com/exchange/services/2006/types}TimeZone )",
    );
  });
});
