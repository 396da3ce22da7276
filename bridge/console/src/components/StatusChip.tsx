/** Coloured status badges: the state of a mailbox or credential must be obvious at a glance. */
import { Badge, type BadgeProps, makeStyles } from "@fluentui/react-components";
import type { z } from "zod";
import type { CredentialHealthStatus, UserSyncState } from "../../../src/api/admin.js";
import { syncStateLabel } from "../format.js";

type Color = NonNullable<BadgeProps["color"]>;

/** A badge has a fixed height: its label stays on one line, or it spills out below the badge in a narrow column. */
const useChipStyles = makeStyles({ chip: { whiteSpace: "nowrap", flexShrink: 0 } });

const syncStateColor: Record<z.infer<typeof UserSyncState>, Color> = {
  "not-selected": "subtle",
  queued: "informative",
  "initial-sync": "brand",
  "in-sync": "success",
  syncing: "brand",
  throttled: "warning",
  error: "danger",
  "needs-credentials": "danger",
  held: "important",
};

export function SyncStateChip({ state }: { state: z.infer<typeof UserSyncState> }) {
  const styles = useChipStyles();
  return (
    <Badge appearance="tint" color={syncStateColor[state]} shape="rounded" className={styles.chip}>
      {syncStateLabel[state]}
    </Badge>
  );
}

const healthColor: Record<z.infer<typeof CredentialHealthStatus>, Color> = {
  ok: "success",
  expiring: "warning",
  failed: "danger",
  "not-set": "subtle",
  unknown: "informative",
};

const healthLabel: Record<z.infer<typeof CredentialHealthStatus>, string> = {
  ok: "Working",
  expiring: "Expiring soon",
  failed: "Failing",
  "not-set": "Not set",
  unknown: "Not checked",
};

export function HealthChip({ status }: { status: z.infer<typeof CredentialHealthStatus> }) {
  const styles = useChipStyles();
  return (
    <Badge appearance="tint" color={healthColor[status]} shape="rounded" className={styles.chip}>
      {healthLabel[status]}
    </Badge>
  );
}

export function ZohoStatusChip({ status }: { status: "active" | "disabled" | "deleted" | "not-confirmed" }) {
  const styles = useChipStyles();
  const color: Color = status === "active" ? "success" : "subtle";
  return (
    <Badge appearance="outline" color={color} shape="rounded" className={styles.chip}>
      {status === "not-confirmed" ? "Not confirmed" : status[0]?.toUpperCase() + status.slice(1)}
    </Badge>
  );
}
