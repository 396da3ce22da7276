import { Badge, Caption1, Card, CardHeader, Link, makeStyles, Text, tokens } from "@fluentui/react-components";
import { useI18n } from "../../i18n/index.js";
import type { PersonRecord } from "../types.js";

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
});

/** A titled list, omitted when empty. */
function ListSection({ label, items }: { label: string; items: { key: string; text: string }[] }) {
  const styles = useStyles();
  if (items.length === 0) return null;
  return (
    <div className={styles.section}>
      <Caption1>{label}</Caption1>
      <ul className={styles.list} aria-label={label}>
        {items.map((item) => (
          <li key={item.key}>
            <Text size={200}>{item.text}</Text>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One Contact or Lead with its owner, Account, open Deals, recent activities and open tasks. */
export function PersonCard({ record }: { record: PersonRecord }) {
  const styles = useStyles();
  const { t, format } = useI18n();
  const kind = t.modules[record.module];
  const name = record.crmUrl ? (
    <Link href={record.crmUrl} target="_blank">
      {record.name}
    </Link>
  ) : (
    <Text weight="semibold">{record.name}</Text>
  );
  return (
    <Card aria-label={`${kind} ${record.name}`} size="small">
      <CardHeader
        header={name}
        description={
          <Caption1>
            {[record.title, record.account?.name ?? record.company].filter(Boolean).join(" · ") || record.email}
          </Caption1>
        }
        action={
          <Badge appearance="tint" color={record.module === "Contacts" ? "brand" : "warning"}>
            {kind}
          </Badge>
        }
      />
      {record.owner && <Caption1>{t.person.owner(record.owner.name)}</Caption1>}
      {record.account && (
        <div className={styles.section}>
          <Caption1>{t.person.account(record.account.name)}</Caption1>
        </div>
      )}
      <ListSection
        label={t.person.openDeals}
        items={record.openDeals.map((deal) => ({
          key: deal.id,
          text: `${deal.name} — ${deal.stage} — ${deal.amount === null ? t.person.noAmount : format.amount(deal.amount, deal.currency)}`,
        }))}
      />
      <ListSection
        label={t.person.openTasks}
        items={record.openTasks.map((task) => ({
          key: task.id,
          text: `${task.subject}${task.dueDate ? ` (${t.person.due(format.date(task.dueDate))})` : ""} — ${task.status}`,
        }))}
      />
      <ListSection
        label={t.person.recentActivity}
        items={record.recentActivities.map((activity) => ({
          key: `${activity.module}-${activity.id}`,
          text: `${format.dateTime(activity.at)} ${t.activities[activity.module]}: ${activity.subject}`,
        }))}
      />
    </Card>
  );
}
