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
      {record.openDeals.length > 0 && (
        <div className={styles.section}>
          <Caption1>Open deals</Caption1>
          <ul className={styles.list} aria-label="Open deals">
            {record.openDeals.map((deal) => (
              <li key={deal.id}>
                <Text size={200}>
                  {deal.name} — {deal.stage} — {formatAmount(deal.amount, deal.currency)}
                </Text>
              </li>
            ))}
          </ul>
        </div>
      )}
      {record.openTasks.length > 0 && (
        <div className={styles.section}>
          <Caption1>Open tasks</Caption1>
          <ul className={styles.list} aria-label="Open tasks">
            {record.openTasks.map((task) => (
              <li key={task.id}>
                <Text size={200}>
                  {task.subject}
                  {task.dueDate ? ` (due ${task.dueDate})` : ""} — {task.status}
                </Text>
              </li>
            ))}
          </ul>
        </div>
      )}
      {record.recentActivities.length > 0 && (
        <div className={styles.section}>
          <Caption1>Recent activity</Caption1>
          <ul className={styles.list} aria-label="Recent activity">
            {record.recentActivities.map((activity) => (
              <li key={`${activity.module}-${activity.id}`}>
                <Text size={200}>
                  {activity.at.slice(0, 10)} {activity.module}: {activity.subject}
                </Text>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
