import { Badge, Caption1, Card, CardHeader, Link, makeStyles, Text, tokens } from "@fluentui/react-components";
import type { PersonRecord } from "../types.js";

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
});

export function formatAmount(amount: number | null, currency: string | null): string {
  if (amount === null) return "no amount";
  return currency
    ? new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount)
    : new Intl.NumberFormat("en-US").format(amount);
}

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
  const kind = record.module === "Contacts" ? "Contact" : "Lead";
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
          <Badge appearance="tint" color={kind === "Contact" ? "brand" : "warning"}>
            {kind}
          </Badge>
        }
      />
      {record.owner && <Caption1>Owner: {record.owner.name}</Caption1>}
      {record.account && (
        <div className={styles.section}>
          <Caption1>Account: {record.account.name}</Caption1>
        </div>
      )}
      <ListSection
        label="Open deals"
        items={record.openDeals.map((deal) => ({
          key: deal.id,
          text: `${deal.name} — ${deal.stage} — ${formatAmount(deal.amount, deal.currency)}`,
        }))}
      />
      <ListSection
        label="Open tasks"
        items={record.openTasks.map((task) => ({
          key: task.id,
          text: `${task.subject}${task.dueDate ? ` (due ${task.dueDate})` : ""} — ${task.status}`,
        }))}
      />
      <ListSection
        label="Recent activity"
        items={record.recentActivities.map((activity) => ({
          key: `${activity.module}-${activity.id}`,
          text: `${activity.at.slice(0, 10)} ${activity.module}: ${activity.subject}`,
        }))}
      />
    </Card>
  );
}
