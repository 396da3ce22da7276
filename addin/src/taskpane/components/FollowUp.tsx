import { Button, Field, Input, makeStyles, Radio, RadioGroup, Text, tokens } from "@fluentui/react-components";
import { useState } from "react";
import type { RecordRef } from "../../../../bridge/src/api/addin.js";
import { useI18n } from "../../i18n/index.js";
import type { FollowUpInput, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** `datetime-local` values carry no zone; the browser's zone is the user's. */
const toOffsetIso = (local: string) => new Date(local).toISOString();

const isPerson = (ref: RecordRef): ref is RecordRef & { module: "Contacts" | "Leads" } =>
  ref.module === "Contacts" || ref.module === "Leads";
const isAccountOrDeal = (ref: RecordRef): ref is RecordRef & { module: "Accounts" | "Deals" } =>
  ref.module === "Accounts" || ref.module === "Deals";

/** Creates a Zoho Task or Event from the open e-mail, linked to its first matched person and Deal/Account. */
export function FollowUp({
  subject,
  internetMessageId,
  who,
  what,
  onCreate,
  today = new Date(),
}: {
  subject: string;
  internetMessageId: string | null;
  who: RecordRef | null;
  what: RecordRef | null;
  onCreate: TaskPaneActions["createFollowUp"];
  today?: Date;
}) {
  const styles = useStyles();
  const { t, format } = useI18n();
  const [kind, setKind] = useState<"task" | "event">("task");
  const [title, setTitle] = useState(t.followUp.defaultTitle(subject));
  const [dueDate, setDueDate] = useState(isoDay(new Date(today.getTime() + 2 * 86_400_000)));
  const [start, setStart] = useState(`${isoDay(new Date(today.getTime() + 86_400_000))}T10:00`);
  const [end, setEnd] = useState(`${isoDay(new Date(today.getTime() + 86_400_000))}T10:30`);
  const create = useAction(onCreate);
  const whoRef = who && isPerson(who) ? who : null;
  const whatRef = what && isAccountOrDeal(what) ? what : null;

  const submit = () => {
    const linkWhat = whatRef ? { module: whatRef.module, id: whatRef.id } : null;
    const input: FollowUpInput =
      kind === "task"
        ? {
            kind,
            subject: title,
            dueDate: dueDate || null,
            priority: null,
            description: null,
            who: whoRef ? { module: whoRef.module, id: whoRef.id } : null,
            what: linkWhat,
            internetMessageId,
          }
        : {
            kind,
            title,
            start: toOffsetIso(start),
            end: toOffsetIso(end),
            venue: null,
            description: null,
            participants: whoRef ? [{ module: whoRef.module, id: whoRef.id }] : [],
            what: linkWhat,
            internetMessageId,
          };
    return create.run(input);
  };

  return (
    <section className={styles.column} aria-label={t.followUp.heading}>
      <RadioGroup
        layout="horizontal"
        value={kind}
        onChange={(_, data) => setKind(data.value === "event" ? "event" : "task")}
      >
        <Radio value="task" label={t.followUp.task} />
        <Radio value="event" label={t.followUp.meeting} />
      </RadioGroup>
      <Field label={kind === "task" ? t.followUp.subject : t.followUp.title}>
        <Input value={title} onChange={(_, data) => setTitle(data.value)} />
      </Field>
      {kind === "task" ? (
        <Field label={t.followUp.dueDate}>
          <Input type="date" value={dueDate} onChange={(_, data) => setDueDate(data.value)} />
        </Field>
      ) : (
        <>
          <Field label={t.followUp.starts}>
            <Input type="datetime-local" value={start} onChange={(_, data) => setStart(data.value)} />
          </Field>
          <Field label={t.followUp.ends}>
            <Input type="datetime-local" value={end} onChange={(_, data) => setEnd(data.value)} />
          </Field>
        </>
      )}
      {(whoRef || whatRef) && (
        <Text size={200}>
          {t.followUp.linkedTo(format.list([whoRef?.name, whatRef?.name].filter((name) => name !== undefined)))}
        </Text>
      )}
      <Button disabled={create.busy || title.trim() === ""} onClick={submit}>
        {kind === "task" ? t.followUp.createTask : t.followUp.createMeeting}
      </Button>
      {create.result && (
        <Text size={200} role="status">
          {create.result.module === "Tasks"
            ? t.followUp.createdTask(create.result.name)
            : t.followUp.createdMeeting(create.result.name)}
        </Text>
      )}
      <ErrorBar message={create.error} />
    </section>
  );
}
