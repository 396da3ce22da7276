import { Caption1, Divider, makeStyles, Subtitle2, Tab, TabList, tokens } from "@fluentui/react-components";
import { useState } from "react";
import type { RecordRef } from "../../../../bridge/src/api/addin.js";
import { useI18n } from "../../i18n/index.js";
import type { PeopleContext, TaskPaneActions, TaskPaneData } from "../types.js";
import { Attendees } from "./Attendees.js";
import { FollowUp } from "./FollowUp.js";
import { Loadable } from "./Loadable.js";
import { isColleague, PeopleSection } from "./PeopleSection.js";
import { SendToCrm, sendTargets } from "./SendToCrm.js";
import { SyncPanel } from "./SyncPanel.js";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  heading: { display: "flex", flexDirection: "column" },
});

type TabName = "crm" | "sync" | "attendees";

/** The first matched person and their first open Deal (or Account): what a follow-up links to by default. */
function followUpLinks(context: PeopleContext): { who: RecordRef | null; what: RecordRef | null } {
  const record = context.flatMap((entry) => entry.records)[0];
  if (!record) return { who: null, what: null };
  const deal = record.openDeals[0];
  const what: RecordRef | null = deal
    ? { module: "Deals", id: deal.id, name: deal.name }
    : record.account
      ? { module: "Accounts", id: record.account.id, name: record.account.name }
      : null;
  return { who: { module: record.module, id: record.id, name: record.name }, what };
}

/** The whole task pane, from data and actions only — renders the same in Outlook, the preview page and tests. */
export function TaskPane({ data, actions }: { data: TaskPaneData; actions: TaskPaneActions }) {
  const styles = useStyles();
  const { t } = useI18n();
  const [tab, setTab] = useState<TabName>("crm");
  const { item } = data;
  const organising = item?.itemType === "appointment" && item.mode === "compose";
  const itemStatus = data.itemStatus.status === "ready" ? data.itemStatus.data : null;

  return (
    <main className={styles.root}>
      <div className={styles.heading}>
        <Subtitle2 as="h1">
          {item ? (data.meeting?.subject ?? item.subject) || t.pane.noSubject : t.pane.noItem}
        </Subtitle2>
        {item?.from && <Caption1>{t.pane.from(item.from.name)}</Caption1>}
      </div>
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as TabName)} size="small">
        <Tab value="crm">{t.pane.tabCrm}</Tab>
        {organising && <Tab value="attendees">{t.pane.tabAttendees}</Tab>}
        <Tab value="sync">{t.pane.tabSync}</Tab>
      </TabList>
      {tab === "crm" && item && (
        <Loadable state={data.context} label={t.pane.crmRecords}>
          {(context) => (
            <>
              <PeopleSection
                self={data.self}
                people={data.people}
                context={context}
                onCreatePerson={actions.createPerson}
              />
              {item.itemType === "message" && item.internetMessageId && (
                <>
                  <Divider>{t.send.heading}</Divider>
                  <SendToCrm
                    targets={sendTargets(context)}
                    status={itemStatus}
                    attachmentCount={item.attachments.length}
                    internalOnly={data.people.every((person) => isColleague(data.self, person))}
                    onSend={actions.sendToCrm}
                  />
                  <Divider>{t.followUp.heading}</Divider>
                  <FollowUp
                    subject={item.subject}
                    internetMessageId={item.internetMessageId}
                    {...followUpLinks(context)}
                    onCreate={actions.createFollowUp}
                  />
                </>
              )}
            </>
          )}
        </Loadable>
      )}
      {tab === "attendees" && organising && (
        <Loadable state={data.availability} label={t.pane.availability}>
          {(schedules) => (
            <Attendees schedules={schedules} onSearch={actions.searchPeople} onAdd={actions.addAttendees} />
          )}
        </Loadable>
      )}
      {tab === "sync" && (
        <Loadable state={data.sync} label={t.pane.syncStatus}>
          {(sync) => (
            <SyncPanel
              sync={sync}
              itemStatus={itemStatus}
              onToggle={actions.setModuleEnabled}
              onSyncNow={actions.syncNow}
            />
          )}
        </Loadable>
      )}
    </main>
  );
}
