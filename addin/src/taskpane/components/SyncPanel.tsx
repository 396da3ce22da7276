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
import { type I18n, useI18n } from "../../i18n/index.js";
import type { ItemStatus, MySyncStatus, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
});

function lastSyncText(module: MySyncStatus["modules"][number], { t, format }: I18n): string {
  if (!module.lastSync) return t.sync.neverSynced;
  const { finishedAt, outcome, created, updated, deleted, errors } = module.lastSync;
  const changes = [
    created ? t.sync.created(format.number(created)) : null,
    updated ? t.sync.updated(format.number(updated)) : null,
    deleted ? t.sync.deleted(format.number(deleted)) : null,
    errors ? t.sync.errors(format.number(errors)) : null,
  ].filter((part): part is string => part !== null);
  const counts = changes.length === 0 ? t.sync.noChanges : format.list(changes);
  return `${t.sync.lastSync(format.dateTime(finishedAt), t.sync.outcomes[outcome])}: ${counts}`;
}

/** A switched-off module has no sync state worth a badge; one the admin fixed says so. */
function ModuleState({ module }: { module: MySyncStatus["modules"][number] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const note = module.userMayToggle ? null : ` · ${t.sync.setByAdmin}`;
  if (!module.enabled)
    return (
      <Caption1>
        {t.sync.off}
        {note}
      </Caption1>
    );
  return (
    <div>
      <Badge appearance="outline" color={module.state === "failed" ? "danger" : "informative"}>
        {t.sync.states[module.state]}
      </Badge>
      <Caption1>
        {" "}
        {lastSyncText(module, i18n)}
        {note}
      </Caption1>
    </div>
  );
}

/** "Synced" or "not synced because …" for the open item. */
export function ItemSyncState({ status }: { status: ItemStatus }) {
  const { t, format } = useI18n();
  const state =
    status.state === "pending" ? t.sync.pending : status.state === "failed" ? t.sync.failed : t.sync.notSynced;
  const text =
    status.state === "synced"
      ? status.lastSyncedAt
        ? t.sync.syncedAt(format.dateTime(status.lastSyncedAt))
        : t.sync.synced
      : status.reason
        ? t.sync.because(state, status.reason.message)
        : state;
  return (
    <MessageBar intent={status.state === "synced" ? "success" : status.state === "failed" ? "error" : "info"}>
      <MessageBarBody>{t.sync.thisItem(text)}</MessageBarBody>
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
  const i18n = useI18n();
  const { t, format } = i18n;
  const toggle = useAction(onToggle);
  const syncNow = useAction(onSyncNow);
  return (
    <section className={styles.column} aria-label={t.sync.heading}>
      {itemStatus && <ItemSyncState status={itemStatus} />}
      <Caption1>{t.sync.mailbox(sync.mailbox, sync.displayName)}</Caption1>
      {sync.modules.map((module) => (
        <div key={module.module} className={styles.row}>
          <Switch
            label={t.sync.modules[module.module]}
            checked={module.enabled}
            disabled={!module.userMayToggle || toggle.busy}
            onChange={(_, data) => toggle.run(module.module, data.checked)}
          />
          <ModuleState module={module} />
        </div>
      ))}
      <Button disabled={syncNow.busy} onClick={() => syncNow.run()}>
        {syncNow.busy ? t.sync.queuing : t.sync.syncNow}
      </Button>
      {syncNow.result !== null && !syncNow.busy && (
        <Text size={200} role="status">
          {t.sync.queued}
        </Text>
      )}
      <ErrorBar message={toggle.error ?? syncNow.error} />
      {sync.recentErrors.length > 0 && (
        <ul aria-label={t.sync.recentErrors}>
          {sync.recentErrors.map((error) => (
            <li key={`${error.at}-${error.code}-${error.itemLabel ?? ""}`}>
              <Text size={200}>
                {format.dateTime(error.at)} {t.sync.modules[error.module]}
                {error.itemLabel ? ` “${error.itemLabel}”` : ""}: {error.message}
              </Text>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
