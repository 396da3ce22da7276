import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Switch,
  Text,
  tokens,
} from "@fluentui/react-components";
import type { ItemStatus, MySyncStatus, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
});

const MODULE_NAMES: Record<MySyncStatus["modules"][number]["module"], string> = {
  contacts: "Contacts",
  events: "Calendar",
  tasks: "Tasks",
  emails: "E-mails",
};

function lastSyncText(module: MySyncStatus["modules"][number]): string {
  if (!module.lastSync) return "never synced";
  const { finishedAt, outcome, created, updated, deleted, errors } = module.lastSync;
  return `last sync ${finishedAt.replace("T", " ").slice(0, 16)} ${outcome}: +${created} ~${updated} -${deleted}${errors ? `, ${errors} errors` : ""}`;
}

/** "Synced" or "not synced because …" for the open item. */
export function ItemSyncState({ status }: { status: ItemStatus }) {
  const text =
    status.state === "synced"
      ? `Synced${status.lastSyncedAt ? ` (${status.lastSyncedAt.replace("T", " ").slice(0, 16)})` : ""}`
      : `${status.state === "pending" ? "Pending" : status.state === "failed" ? "Failed" : "Not synced"}${
          status.reason ? ` because ${status.reason.message}` : ""
        }`;
  return (
    <MessageBar intent={status.state === "synced" ? "success" : status.state === "failed" ? "error" : "info"}>
      <MessageBarBody>This item: {text}</MessageBarBody>
    </MessageBar>
  );
}

/** The user's own sync: modules they may switch, sync now, last results and recent errors. */
export function SyncPanel({
  sync,
  itemStatus,
  onToggle,
  onSyncNow,
}: {
  sync: MySyncStatus;
  itemStatus: ItemStatus | null;
  onToggle: TaskPaneActions["setModuleEnabled"];
  onSyncNow: TaskPaneActions["syncNow"];
}) {
  const styles = useStyles();
  const toggle = useAction(onToggle);
  const syncNow = useAction(onSyncNow);
  return (
    <section className={styles.column} aria-label="Sync">
      {itemStatus && <ItemSyncState status={itemStatus} />}
      <Caption1>
        Mailbox {sync.mailbox} ({sync.displayName})
      </Caption1>
      {sync.modules.map((module) => (
        <div key={module.module} className={styles.row}>
          <Switch
            label={MODULE_NAMES[module.module]}
            checked={module.enabled}
            disabled={!module.userMayToggle || toggle.busy}
            onChange={(_, data) => toggle.run(module.module, data.checked)}
          />
          <div>
            <Badge appearance="outline" color={module.state === "failed" ? "danger" : "informative"}>
              {module.state}
            </Badge>
            <Caption1> {lastSyncText(module)}</Caption1>
          </div>
        </div>
      ))}
      <Button disabled={syncNow.busy} onClick={() => syncNow.run()}>
        {syncNow.busy ? "Queuing…" : "Sync now"}
      </Button>
      {syncNow.result !== null && !syncNow.busy && (
        <Text size={200} role="status">
          Sync queued
        </Text>
      )}
      <ErrorBar message={toggle.error ?? syncNow.error} />
      {sync.recentErrors.length > 0 && (
        <ul aria-label="Recent sync errors">
          {sync.recentErrors.map((error) => (
            <li key={`${error.at}-${error.code}-${error.itemLabel ?? ""}`}>
              <Text size={200}>
                {error.at.slice(0, 16).replace("T", " ")} {MODULE_NAMES[error.module]}
                {error.itemLabel ? ` “${error.itemLabel}”` : ""}: {error.message}
              </Text>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
