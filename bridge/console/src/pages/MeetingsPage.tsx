/**
 * Meetings: schedule a meeting (with invitations) or an appointment in a selected user's Exchange calendar and in
 * Zoho CRM. Attendees are picked from CRM contacts, leads and users; "See availability" shows their free/busy over
 * the working day as a grid, and picking a slot moves the meeting there keeping its length. Times are entered in
 * the chosen IANA zone and sent as ISO instants with that zone's offset (luxon handles DST).
 */
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Switch,
  Tag,
  TagGroup,
  Text,
  Textarea,
} from "@fluentui/react-components";
import { DateTime } from "luxon";
import { useState } from "react";
import { type AttendeeCandidate, CreateMeetingRequest } from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { FreeBusyGrid } from "../components/FreeBusyGrid.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { EmptyState, ErrorBar, QueryView } from "../components/QueryView.js";
import { fieldState, validate } from "../validation.js";

const REMINDER_CHOICES = [0, 5, 10, 15, 30, 60, 120, 1440];
const WORKDAY = { from: 8, to: 18 };
const SLOT_MINUTES = 30;

const kindLabel = { contact: "Contact", lead: "Lead", user: "User" } as const;

function AttendeeResults({ search, onAdd }: { search: string; onAdd: (candidate: AttendeeCandidate) => void }) {
  const results = useAdminQuery("searchAttendees", { search });
  return (
    <QueryView
      query={results}
      label="CRM matches"
      isEmpty={(data) => data.candidates.length === 0}
      empty={`No contact, lead or user matches “${search}”.`}
    >
      {(data) => (
        <ul aria-label="Matching CRM records" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {data.candidates.map((candidate) => (
            <li key={`${candidate.kind}-${candidate.id}`}>
              <Button appearance="subtle" onClick={() => onAdd(candidate)}>
                Add {candidate.name} &lt;{candidate.email}&gt; ({kindLabel[candidate.kind]})
              </Button>
            </li>
          ))}
        </ul>
      )}
    </QueryView>
  );
}

function toInstant(date: string, time: string, zone: string): string | null {
  const value = DateTime.fromISO(`${date}T${time}`, { zone });
  return value.isValid ? value.toISO({ suppressMilliseconds: true }) : null;
}

export function MeetingsPage() {
  const layout = useLayoutStyles();
  const users = useAdminQuery("users", {});
  const availability = useAdminMutation("availability");
  const create = useAdminMutation("createMeeting");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const tomorrow = DateTime.now().setZone(zone).plus({ days: 1 }).toISODate() ?? "";
  const [organizer, setOrganizer] = useState("");
  const [kind, setKind] = useState<"meeting" | "appointment">("meeting");
  const [subject, setSubject] = useState("");
  const [search, setSearch] = useState("");
  const [attendees, setAttendees] = useState<AttendeeCandidate[]>([]);
  const [location, setLocation] = useState("");
  const [date, setDate] = useState(tomorrow);
  const [startTime, setStartTime] = useState("10:00");
  const [endTime, setEndTime] = useState("10:30");
  const [reminderOn, setReminderOn] = useState(true);
  const [reminderMinutes, setReminderMinutes] = useState(15);
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const selectedUsers = users.state.status === "ready" ? users.state.data.users.filter((user) => user.selected) : [];
  const organizerId = organizer || selectedUsers[0]?.zohoUserId || "";
  const organizerMailbox = selectedUsers.find((user) => user.zohoUserId === organizerId)?.mailbox;
  const start = toInstant(date, startTime, zone);
  const end = toInstant(date, endTime, zone);

  const addAttendee = (candidate: AttendeeCandidate) => {
    setAttendees((previous) =>
      previous.some((entry) => entry.email === candidate.email) ? previous : [...previous, candidate],
    );
    setSearch("");
  };

  const seeAvailability = () => {
    const dayStart = toInstant(date, `${String(WORKDAY.from).padStart(2, "0")}:00`, zone);
    const dayEnd = toInstant(date, `${WORKDAY.to}:00`, zone);
    const emails = [...(organizerMailbox === undefined ? [] : [organizerMailbox]), ...attendees.map((a) => a.email)];
    if (dayStart === null || dayEnd === null || emails.length === 0 || organizerId === "") return;
    availability.run({
      organizerZohoUserId: organizerId,
      emails,
      start: dayStart,
      end: dayEnd,
      intervalMinutes: SLOT_MINUTES,
    });
  };

  const pickSlot = (slot: Date) => {
    const minutes = start !== null && end !== null ? (Date.parse(end) - Date.parse(start)) / 60_000 : SLOT_MINUTES;
    const from = DateTime.fromJSDate(slot).setZone(zone);
    setStartTime(from.toFormat("HH:mm"));
    setEndTime(from.plus({ minutes: Math.max(minutes, SLOT_MINUTES) }).toFormat("HH:mm"));
  };

  const submit = () => {
    const checked = validate(CreateMeetingRequest, {
      organizerZohoUserId: organizerId,
      kind,
      subject,
      attendees: kind === "meeting" ? attendees : [],
      location,
      start,
      end,
      timeZone: zone,
      reminder: { enabled: reminderOn, minutesBefore: reminderMinutes },
      description,
    });
    setErrors(checked.ok ? {} : checked.errors);
    if (checked.ok) create.run(checked.data);
  };

  return (
    <div className={layout.stack}>
      <Section title="Schedule a meeting">
        <QueryView
          query={users}
          label="users"
          isEmpty={(data) => !data.users.some((user) => user.selected)}
          empty="Select users to sync first: meetings are created in a synced user's calendar."
        >
          {() => (
            <>
              <div className={layout.form}>
                <Field label="Organizer" required {...fieldState(errors, "organizerZohoUserId")}>
                  <Select value={organizerId} onChange={(_event, data) => setOrganizer(data.value)}>
                    {selectedUsers.map((user) => (
                      <option key={user.zohoUserId} value={user.zohoUserId}>
                        {user.name} ({user.mailbox})
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Type">
                  <RadioGroup
                    layout="horizontal"
                    value={kind}
                    onChange={(_event, data) => setKind(data.value === "appointment" ? "appointment" : "meeting")}
                  >
                    <Radio value="meeting" label="Meeting (sends invitations)" />
                    <Radio value="appointment" label="Appointment" />
                  </RadioGroup>
                </Field>
                <Field label="Subject" required {...fieldState(errors, "subject")}>
                  <Input value={subject} onChange={(_event, data) => setSubject(data.value)} />
                </Field>
                <Field label="Location" {...fieldState(errors, "location")}>
                  <Input value={location} onChange={(_event, data) => setLocation(data.value)} />
                </Field>
              </div>
              {kind === "meeting" ? (
                <div className={layout.stack}>
                  <Field
                    label="Attendees"
                    hint="Search Zoho CRM contacts, leads and users by name or e-mail."
                    {...fieldState(errors, "attendees")}
                  >
                    <Input value={search} onChange={(_event, data) => setSearch(data.value)} placeholder="Search CRM" />
                  </Field>
                  {search.trim().length >= 2 ? <AttendeeResults search={search.trim()} onAdd={addAttendee} /> : null}
                  {attendees.length === 0 ? (
                    <EmptyState>No attendees yet.</EmptyState>
                  ) : (
                    <TagGroup
                      aria-label="Chosen attendees"
                      onDismiss={(_event, data) =>
                        setAttendees((previous) => previous.filter((entry) => entry.email !== data.value))
                      }
                    >
                      {attendees.map((attendee) => (
                        <Tag
                          key={attendee.email}
                          value={attendee.email}
                          dismissible
                          dismissIcon={{ "aria-label": `Remove ${attendee.name}` }}
                          secondaryText={attendee.email}
                        >
                          {attendee.name}
                        </Tag>
                      ))}
                    </TagGroup>
                  )}
                </div>
              ) : null}
              <div className={layout.form}>
                <Field label="Date" required>
                  <Input type="date" value={date} onChange={(_event, data) => setDate(data.value)} />
                </Field>
                <Field label={`Start (${zone})`} required {...fieldState(errors, "start")}>
                  <Input type="time" value={startTime} onChange={(_event, data) => setStartTime(data.value)} />
                </Field>
                <Field label="End" required {...fieldState(errors, "end")}>
                  <Input type="time" value={endTime} onChange={(_event, data) => setEndTime(data.value)} />
                </Field>
                <Field label="Reminder">
                  <div className={layout.actions}>
                    <Switch
                      checked={reminderOn}
                      aria-label="Remind attendees"
                      onChange={(_event, data) => setReminderOn(data.checked)}
                    />
                    <Select
                      aria-label="Reminder lead time"
                      disabled={!reminderOn}
                      value={String(reminderMinutes)}
                      onChange={(_event, data) => setReminderMinutes(Number(data.value))}
                    >
                      {REMINDER_CHOICES.map((minutes) => (
                        <option key={minutes} value={minutes}>
                          {minutes === 0
                            ? "At start"
                            : minutes < 60
                              ? `${minutes} minutes before`
                              : `${minutes / 60} hours before`}
                        </option>
                      ))}
                    </Select>
                  </div>
                </Field>
              </div>
              <Field label="Description">
                <Textarea
                  value={description}
                  onChange={(_event, data) => setDescription(data.value)}
                  resize="vertical"
                />
              </Field>
              <div className={layout.actions}>
                <Button onClick={seeAvailability} disabled={availability.state.status === "running"}>
                  See availability
                </Button>
                <Button appearance="primary" onClick={submit} disabled={create.state.status === "running"}>
                  {kind === "meeting" ? "Create meeting and send invitations" : "Create appointment"}
                </Button>
              </div>
              {create.state.status === "error" ? <ErrorBar error={create.state.error} title="Not created" /> : null}
              {create.state.status === "done" ? (
                <MessageBar layout="multiline" intent="success">
                  <MessageBarBody>
                    <MessageBarTitle>Created in Exchange and Zoho CRM</MessageBarTitle>
                    {create.state.data.invitationsSent} invitations sent.
                  </MessageBarBody>
                </MessageBar>
              ) : null}
            </>
          )}
        </QueryView>
      </Section>
      <Section title="Availability">
        {availability.state.status === "idle" ? (
          <Text>Add attendees and choose “See availability” to compare their calendars for the day.</Text>
        ) : null}
        {availability.state.status === "running" ? <Spinner size="small" label="Reading free/busy…" /> : null}
        {availability.state.status === "error" ? <ErrorBar error={availability.state.error} /> : null}
        {availability.state.status === "done" ? (
          <FreeBusyGrid
            availability={availability.state.data}
            proposed={start === null || end === null ? null : { start: new Date(start), end: new Date(end) }}
            onPick={pickSlot}
          />
        ) : null}
      </Section>
    </div>
  );
}
