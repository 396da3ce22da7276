import {
  Button,
  Caption1,
  Checkbox,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Text,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { RecordRef } from "../../../../bridge/src/api/addin.js";
import { useI18n } from "../../i18n/index.js";
import type { ItemStatus, PeopleContext, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
});

const keyOf = (ref: Pick<RecordRef, "module" | "id">) => `${ref.module}:${ref.id}`;

/** Records an e-mail can be associated with: each matched person, their Account and their open Deals, once each. */
export function sendTargets(context: PeopleContext): RecordRef[] {
  const targets = new Map<string, RecordRef>();
  const add = (ref: RecordRef) => targets.set(keyOf(ref), ref);
  for (const { records } of context) {
    for (const record of records) {
      add({ module: record.module, id: record.id, name: record.name });
      if (record.account) add({ module: "Accounts", id: record.account.id, name: record.account.name });
      for (const deal of record.openDeals) add({ module: "Deals", id: deal.id, name: deal.name });
    }
  }
  return [...targets.values()];
}

/** Associates the open e-mail with chosen records; "already in CRM" comes from the bridge, so it holds everywhere. */
export function SendToCrm({
  targets,
  status,
  attachmentCount,
  internalOnly = false,
  onSend,
}: {
  targets: RecordRef[];
  status: ItemStatus | null;
  attachmentCount: number;
  /** Everyone on the e-mail is a colleague. */
  internalOnly?: boolean;
  onSend: TaskPaneActions["sendToCrm"];
}) {
  const styles = useStyles();
  const { t } = useI18n();
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const [includeAttachments, setIncludeAttachments] = useState(false);
  const send = useAction(onSend);
  const linked = new Set((status?.crmRecords ?? []).map(keyOf));
  const chosen = targets.filter((t) => !unchecked.has(keyOf(t)) && !linked.has(keyOf(t)));
  const toggle = (key: string, checked: boolean) =>
    setUnchecked((previous) => {
      const next = new Set(previous);
      if (checked) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <section className={styles.column} aria-label={t.send.heading}>
      {status && status.crmRecords.length > 0 && (
        <MessageBar intent="success">
          <MessageBarBody>
            {t.send.alreadyInCrm(status.crmRecords.map((r) => `${t.modules[r.module]} ${r.name}`).join(", "))}
          </MessageBarBody>
        </MessageBar>
      )}
      {targets.length === 0 ? (
        <Caption1>{internalOnly ? t.send.internalOnly : t.send.nobodyInCrm}</Caption1>
      ) : (
        <>
          {targets.map((target) => {
            const key = keyOf(target);
            const already = linked.has(key);
            return (
              <Checkbox
                key={key}
                label={`${t.modules[target.module]}: ${target.name}${already ? ` ${t.send.alreadyLinked}` : ""}`}
                checked={already || !unchecked.has(key)}
                disabled={already}
                onChange={(_, data) => toggle(key, data.checked === true)}
              />
            );
          })}
          <Checkbox
            label={t.send.includeAttachments(attachmentCount)}
            checked={includeAttachments}
            disabled={attachmentCount === 0}
            onChange={(_, data) => setIncludeAttachments(data.checked === true)}
          />
          <Button
            appearance="primary"
            disabled={send.busy || chosen.length === 0}
            onClick={() =>
              send.run(
                chosen.map(({ module, id }) => ({ module, id })),
                includeAttachments,
              )
            }
          >
            {send.busy ? t.send.sending : t.send.send}
          </Button>
        </>
      )}
      {send.result && (
        <ul aria-label={t.send.results}>
          {send.result.results.map((r) => (
            <li key={keyOf(r.target)}>
              <Text size={200}>
                {t.modules[r.target.module]} {r.target.name}: {t.send.status[r.status]}
                {r.error ? ` — ${r.error.message}` : ""}
              </Text>
            </li>
          ))}
        </ul>
      )}
      <ErrorBar message={send.error} />
    </section>
  );
}
