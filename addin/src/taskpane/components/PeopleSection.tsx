import { Button, Caption1, Card, CardHeader, makeStyles, Text, tokens } from "@fluentui/react-components";
import { useI18n } from "../../i18n/index.js";
import { draftFromSender } from "../prefill.js";
import type { MailPerson, PeopleContext, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { PersonCard } from "./PersonCard.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS },
});

/** Someone the CRM does not know yet, with one-click creation prefilled from the e-mail. */
function NotInCrm({ person, onCreate }: { person: MailPerson; onCreate: TaskPaneActions["createPerson"] }) {
  const styles = useStyles();
  const { t } = useI18n();
  const create = useAction(onCreate);
  if (create.result) return <PersonCard record={create.result.record} />;
  const label = person.name === person.email ? person.email : `${person.name} <${person.email}>`;
  return (
    <Card aria-label={t.person.notInCrm(person.email)} size="small">
      <CardHeader
        header={<Text weight="semibold">{label}</Text>}
        description={<Caption1>{t.person.notInCrmCaption}</Caption1>}
      />
      <div className={styles.buttons}>
        <Button size="small" disabled={create.busy} onClick={() => create.run(draftFromSender(person, "Contacts"))}>
          {t.person.createContact}
        </Button>
        <Button size="small" disabled={create.busy} onClick={() => create.run(draftFromSender(person, "Leads"))}>
          {t.person.createLead}
        </Button>
      </div>
      <ErrorBar message={create.error} />
    </Card>
  );
}

/** The CRM view of everyone on the item: matched records first, unknown people with create buttons. */
export function PeopleSection({
  people,
  context,
  onCreatePerson,
}: {
  people: MailPerson[];
  context: PeopleContext;
  onCreatePerson: TaskPaneActions["createPerson"];
}) {
  const styles = useStyles();
  const byEmail = new Map(context.map((entry) => [entry.email.toLowerCase(), entry.records]));
  return (
    <div className={styles.column}>
      {people.map((person) => {
        const records = byEmail.get(person.email.toLowerCase()) ?? [];
        return records.length > 0 ? (
          records.map((record) => <PersonCard key={`${record.module}-${record.id}`} record={record} />)
        ) : (
          <NotInCrm key={person.email} person={person} onCreate={onCreatePerson} />
        );
      })}
    </div>
  );
}
