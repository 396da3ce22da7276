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

const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** Internal mail: a colleague at the user's own domain is no prospect, so no "create contact / lead" for them. */
export function isColleague(self: string, person: MailPerson): boolean {
  return domainOf(person.email) === domainOf(self);
}

/** Colleagues the CRM has no record of, on one line. */
function Colleagues({ people }: { people: MailPerson[] }) {
  const { t, format } = useI18n();
  if (people.length === 0) return null;
  return (
    <Card aria-label={t.person.colleagues} size="small" appearance="subtle">
      <CardHeader
        header={<Text>{format.list(people.map((person) => person.name))}</Text>}
        description={<Caption1>{t.person.colleaguesCaption}</Caption1>}
      />
    </Card>
  );
}

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
  self,
  people,
  context,
  onCreatePerson,
}: {
  self: string;
  people: MailPerson[];
  context: PeopleContext;
  onCreatePerson: TaskPaneActions["createPerson"];
}) {
  const styles = useStyles();
  const byEmail = new Map(context.map((entry) => [entry.email.toLowerCase(), entry.records]));
  const recordsOf = (person: MailPerson) => byEmail.get(person.email.toLowerCase()) ?? [];
  const unknownColleagues = people.filter((person) => recordsOf(person).length === 0 && isColleague(self, person));
  return (
    <div className={styles.column}>
      {people.map((person) => {
        const records = recordsOf(person);
        if (records.length > 0)
          return records.map((record) => <PersonCard key={`${record.module}-${record.id}`} record={record} />);
        return unknownColleagues.includes(person) ? null : (
          <NotInCrm key={person.email} person={person} onCreate={onCreatePerson} />
        );
      })}
      <Colleagues people={unknownColleagues} />
    </div>
  );
}
