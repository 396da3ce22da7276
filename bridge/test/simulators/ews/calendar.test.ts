import {
  Appointment,
  AppointmentSchema,
  AttendeeInfo,
  AvailabilityData,
  BasePropertySet,
  CalendarView,
  ConflictResolutionMode,
  DateTime,
  DayOfTheWeek,
  DeleteMode,
  EmailMessage,
  FolderId,
  ItemId,
  ItemView,
  MessageBody,
  PropertySet,
  Recurrence,
  SendCancellationsMode,
  SendInvitationsMode,
  SendInvitationsOrCancellationsMode,
  ServiceError,
  Task,
  TimeWindow,
  TimeZoneInfo,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";
import { ewsClient, VERSIONS } from "./client.js";

for (const release of ["2007SP1", "2010SP2", "2016"] as const) {
  describe(`calendar, tasks and mail on ${release}`, () => {
    let sim: RunningEwsSimulator;
    beforeAll(async () => {
      sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
      sim.control.seed({
        mailboxes: 3,
        contactsPerMailbox: 1,
        meetingsPerMailbox: 0,
        mailsPerMailbox: 0,
        tasksPerMailbox: 0,
      });
    });
    afterAll(async () => {
      expect(sim.control.responseViolations().map((v) => `${v.operation}: ${v.violation}`)).toEqual([]);
      await sim.close();
    });
    const client = (mailbox = "alice@contoso.com") =>
      ewsClient({
        version: VERSIONS[release],
        url: sim.ewsUrl,
        user: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        impersonate: mailbox,
      });

    it("creates a weekly series with an invitation, expands it, edits and deletes occurrences", async () => {
      const service = client();
      const meeting = new Appointment(service);
      meeting.Subject = "Pipeline review";
      meeting.Start = new DateTime(Date.UTC(2026, 2, 2, 10, 0, 0));
      meeting.End = new DateTime(Date.UTC(2026, 2, 2, 11, 0, 0));
      // ews-javascript-api requires a StartTimeZone in 2007 mode (MeetingTimeZone on the wire).
      meeting.StartTimeZone = TimeZoneInfo.Utc;
      const pattern = new Recurrence.WeeklyPattern();
      pattern.StartDate = new DateTime(Date.UTC(2026, 2, 2));
      pattern.Interval = 1;
      pattern.DaysOfTheWeek.Add(DayOfTheWeek.Monday);
      pattern.NumberOfOccurrences = 6;
      meeting.Recurrence = pattern;
      meeting.RequiredAttendees.Add("bob@contoso.com");
      await meeting.Save(new FolderId(WellKnownFolderName.Calendar), SendInvitationsMode.SendToAllAndSaveCopy);

      const view = new CalendarView(new DateTime(Date.UTC(2026, 2, 1)), new DateTime(Date.UTC(2026, 4, 1)));
      const occurrences = await service.FindAppointments(WellKnownFolderName.Calendar, view);
      expect(occurrences.Items.length).toBe(6);
      expect(occurrences.Items.every((o) => o.Subject === "Pipeline review")).toBe(true);

      const third = await Appointment.BindToOccurrence(service, meeting.Id, 3);
      third.Subject = "Pipeline review (moved)";
      await third.Update(ConflictResolutionMode.AlwaysOverwrite, SendInvitationsOrCancellationsMode.SendToNone);
      const fourth = await Appointment.BindToOccurrence(service, meeting.Id, 4);
      await fourth.Delete(DeleteMode.MoveToDeletedItems, SendCancellationsMode.SendToNone);

      const after = await service.FindAppointments(WellKnownFolderName.Calendar, view);
      expect(after.Items.map((o) => o.Subject)).toEqual([
        "Pipeline review",
        "Pipeline review",
        "Pipeline review (moved)",
        "Pipeline review",
        "Pipeline review",
      ]);
      const master = await Appointment.Bind(
        service,
        new ItemId(meeting.Id.UniqueId),
        new PropertySet(BasePropertySet.FirstClassProperties),
      );
      expect(master.ModifiedOccurrences?.Count).toBe(1);
      expect(master.DeletedOccurrences?.Count).toBe(1);

      // The invitation reached the attendee's Inbox and calendar in the same simulated org.
      const bobInbox = sim.control.user.list("bob@contoso.com", "inbox");
      expect(bobInbox.some((i) => i.kind === "MeetingRequest")).toBe(true);
      expect(sim.control.user.list("bob@contoso.com", "calendar")).toHaveLength(1);

      const availability = service.GetUserAvailability(
        [new AttendeeInfo("bob@contoso.com"), new AttendeeInfo("alice@contoso.com")],
        new TimeWindow(new DateTime(Date.UTC(2026, 2, 1)), new DateTime(Date.UTC(2026, 2, 20))),
        AvailabilityData.FreeBusy,
      );
      if (release === "2007SP1") {
        // The 2007 SP1 schema requires t:TimeZone first; ews-javascript-api omits it in 2007 mode, so the real
        // server (and this one) rejects the request.
        await expect(availability).rejects.toMatchObject({ message: expect.stringContaining("schema validation") });
      } else {
        const busy = await availability;
        expect(busy.AttendeesAvailability.Responses.map((r) => r.CalendarEvents.length)).toEqual([3, 3]);
      }

      await master.Delete(DeleteMode.HardDelete, SendCancellationsMode.SendToAllAndSaveCopy);
      expect(sim.control.user.list("bob@contoso.com", "inbox").some((i) => i.kind === "MeetingCancellation")).toBe(
        true,
      );
    });

    it("refuses a stale ChangeKey with ErrorIrresolvableConflict and issues a new key on every change", async () => {
      const service = client();
      const single = new Appointment(service);
      single.Subject = "Call";
      single.Start = new DateTime(Date.UTC(2026, 3, 1, 9, 0, 0));
      single.End = new DateTime(Date.UTC(2026, 3, 1, 9, 30, 0));
      single.StartTimeZone = TimeZoneInfo.Utc;
      await single.Save(SendInvitationsMode.SendToNone);
      const copy = await Appointment.Bind(
        service,
        new ItemId(single.Id.UniqueId),
        new PropertySet(BasePropertySet.IdOnly, [AppointmentSchema.Subject]),
      );
      const stale = await Appointment.Bind(
        service,
        new ItemId(single.Id.UniqueId),
        new PropertySet(BasePropertySet.IdOnly, [AppointmentSchema.Subject]),
      );
      copy.Subject = "Call (edited)";
      await copy.Update(ConflictResolutionMode.AutoResolve, SendInvitationsOrCancellationsMode.SendToNone);
      expect(copy.Id.ChangeKey).not.toBe(stale.Id.ChangeKey);
      stale.Subject = "Call (lost update)";
      await expect(
        stale.Update(ConflictResolutionMode.AutoResolve, SendInvitationsOrCancellationsMode.SendToNone),
      ).rejects.toMatchObject({ ErrorCode: ServiceError.ErrorIrresolvableConflict });
      expect(sim.control.callCounts()["ews.UpdateItem"]).toBeGreaterThanOrEqual(2);
    });

    it("creates a task and sends a message that lands in Sent Items and the recipient's Inbox", async () => {
      const service = client();
      const task = new Task(service);
      task.Subject = "Send the quote";
      await task.Save(new FolderId(WellKnownFolderName.Tasks));
      const tasks = await service.FindItems(new FolderId(WellKnownFolderName.Tasks), new ItemView(10));
      expect(tasks.Items.map((t) => t.Subject)).toContain("Send the quote");

      const message = new EmailMessage(service);
      message.Subject = "Your quote";
      message.Body = new MessageBody("Attached.");
      message.ToRecipients.Add("carol@contoso.com");
      await message.SendAndSaveCopy();
      expect(
        sim.control.user
          .list("alice@contoso.com", "sentitems")
          .map((m) => m.props.find((p) => p.name === "Subject")?.text),
      ).toContain("Your quote");
      expect(sim.control.user.list("carol@contoso.com", "inbox")).toHaveLength(1);
      const resolved = await service.ResolveName("carol");
      expect(resolved.Count).toBe(1);
    });
  });
}
