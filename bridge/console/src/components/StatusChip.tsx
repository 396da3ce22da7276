/** Coloured status badges: the state of a mailbox or credential must be obvious at a glance. */
import { Badge, type BadgeProps } from "@fluentui/react-components";
import type { z } from "zod";
import type { CredentialHealthStatus, UserSyncState } from "../../../src/api/admin.js";
import { syncStateLabel } from "../format.js";

type Color = NonNullable<BadgeProps["color"]>;

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
  return (
    <Badge appearance="tint" color={syncStateColor[state]} shape="rounded">
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
  return (
    <Badge appearance="tint" color={healthColor[status]} shape="rounded">
      {healthLabel[status]}
    </Badge>
  );
}

export function ZohoStatusChip({ status }: { status: "active" | "disabled" | "deleted" | "not-confirmed" }) {
  const color: Color = status === "active" ? "success" : "subtle";
  return (
    <Badge appearance="outline" color={color} shape="rounded">
      {status === "not-confirmed" ? "Not confirmed" : status[0]?.toUpperCase() + status.slice(1)}
    </Badge>
  );
}
