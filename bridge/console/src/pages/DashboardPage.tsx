/**
 * The dashboard: what was synced per module and direction, initial-sync progress per mailbox, synced items and
 * errors over time, who is throttled until when, recent failures (with "why?" per item), the conflict queue with
 * both versions side by side, and mass-delete holds to confirm or reject. It refreshes itself every 10 s.
 */
import {
  Badge,
  Button,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  ProgressBar,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { type ReactNode, useState } from "react";
import type { z } from "zod";
import type {
  AdminResponse,
  Conflict,
  Dashboard,
  DashboardQuery,
  MassDeleteHold,
  SyncFailure,
} from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { CountsTable } from "../components/CountsTable.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { EmptyState, ErrorBar, QueryView } from "../components/QueryView.js";
import { SyncStateChip } from "../components/StatusChip.js";
import { SyncChart } from "../components/SyncChart.js";
import { conflictFieldLabel, conflictFieldValue } from "../conflict-values.js";
import { flowLabel, formatDateTime, formatTime, moduleLabel, usersQueued } from "../format.js";

type Range = NonNullable<z.infer<typeof DashboardQuery>["range"]>;
const REFRESH_MS = 10_000;
const CONFLICTS_SHOWN = 5;
const RUNS_FETCHED = 100;
const RUNS_SHOWN = 10;

const useStyles = makeStyles({
  cards: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(170px, 1fr))",
    gap: tokens.spacingHorizontalM,
  },
  figure: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, lineHeight: 1.1 },
  when: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  differs: { backgroundColor: tokens.colorPaletteYellowBackground1 },
  conflictTable: { tableLayout: "auto" },
  /** Long addresses break instead of running under the next column in a narrow Web Tab. */
  wrap: { overflowWrap: "anywhere" },
  fieldColumn: { width: "9rem", fontWeight: tokens.fontWeightSemibold },
  keepColumn: { width: "7rem" },
  /** Lists come one entry per line; long addresses and ids wrap instead of running into the next column. */
  value: { whiteSpace: "pre-line", overflowWrap: "anywhere", verticalAlign: "top" },
});

const changedItems = (counts: Dashboard["totals"][number]["counts"]) =>
  counts.creates + counts.updates + counts.deletes;

function SummaryCards({ dashboard }: { dashboard: Dashboard }) {
  const styles = useStyles();
  const synced = dashboard.totals.reduce((sum, row) => sum + changedItems(row.counts), 0);
  const figures: Array<[string, string | number]> = [
    ["Items synced", synced],
    ["Open conflicts", dashboard.openConflicts],
    ["Deletes on hold", dashboard.openHolds],
    ["Throttled", dashboard.throttling.length],
    ["Last run", formatDateTime(dashboard.lastRunAt)],
    ["Next run", formatDateTime(dashboard.nextRunAt)],
  ];
  return (
    <div className={styles.cards}>
      {figures.map(([label, value]) => (
        <Card key={label} size="small">
          <CardHeader header={<Text size={200}>{label}</Text>} />
          <span className={typeof value === "number" ? styles.figure : styles.when} data-figure={label}>
            {value}
          </span>
        </Card>
      ))}
    </div>
  );
}

function TotalsTable({ dashboard }: { dashboard: Dashboard }) {
  if (dashboard.totals.length === 0) return <EmptyState>Nothing synced in this period yet.</EmptyState>;
  return (
    <CountsTable
      rows={dashboard.totals}
      label="Synced items per module and direction"
      verbs={["Created", "Updated", "Deleted"]}
    />
  );
}

/** What the user's latest runs changed: only the module directions that changed something. */
function lastRunSummary(user: Dashboard["users"][number]): string {
  if (user.lastSyncAt === null) return "—";
  const changed = user.rows.filter((row) => changedItems(row.counts) > 0);
  if (changed.length === 0) return "Last run: nothing to change";
  return `Last run: ${changed
    .map((row) => `${moduleLabel[row.module]} ${flowLabel[row.direction]} ${changedItems(row.counts)}`)
    .join(" · ")}`;
}

function MailboxTable({ dashboard }: { dashboard: Dashboard }) {
  const styles = useStyles();
  const layout = useLayoutStyles();
  if (dashboard.users.length === 0)
    return <EmptyState>No users are selected for sync. Select them on the Users page.</EmptyState>;
  return (
    <div className={layout.tableScroll}>
      <Table size="small" aria-label="Mailboxes">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Mailbox</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell className={layout.wideOnly}>Last sync</TableHeaderCell>
            <TableHeaderCell>Initial sync / last run</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {dashboard.users.map((user) => (
            <TableRow key={user.zohoUserId}>
              <TableCell className={styles.wrap}>
                <Text weight="semibold">{user.name}</Text>
                <div>
                  <Text size={200}>{user.mailbox}</Text>
                </div>
              </TableCell>
              <TableCell>
                <SyncStateChip state={user.syncState} />
              </TableCell>
              <TableCell className={layout.wideOnly}>{formatDateTime(user.lastSyncAt)}</TableCell>
              <TableCell>
                {user.initialSync === null ? (
                  <Text size={200}>{lastRunSummary(user)}</Text>
                ) : (
                  user.initialSync.map((progress) => (
                    <div key={progress.module} data-initial-sync={progress.module}>
                      <Text size={200}>
                        {moduleLabel[progress.module]}:{" "}
                        {progress.finished
                          ? `${progress.done} of ${progress.total} items`
                          : "waiting for its first run"}
                      </Text>
                      <ProgressBar
                        value={progress.finished ? (progress.total === 0 ? 1 : progress.done / progress.total) : 0}
                        aria-label={`${user.mailbox} ${moduleLabel[progress.module]} initial sync`}
                      />
                    </div>
                  ))
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

const runStatusColor = {
  queued: "informative",
  running: "brand",
  succeeded: "success",
  "partially-failed": "warning",
  failed: "danger",
  held: "important",
} as const;

type SyncRun = AdminResponse<"runs">["runs"][number];
const runItems = (run: SyncRun) => run.rows.reduce((sum, row) => sum + changedItems(row.counts), 0);
/** Scheduled runs every few minutes mostly change nothing; the ones worth a look changed, failed or are not done. */
const eventful = (run: SyncRun) => runItems(run) > 0 || run.failures > 0 || run.status !== "succeeded";

function RunHistory({ names }: { names: Map<string, string> }) {
  const layout = useLayoutStyles();
  const [idleToo, setIdleToo] = useState(false);
  const runs = useAdminQuery("runs", { limit: RUNS_FETCHED }, { refreshMs: REFRESH_MS });
  return (
    <QueryView query={runs} label="runs" isEmpty={(data) => data.runs.length === 0} empty="No sync has run yet.">
      {(data) => {
        const idle = data.runs.filter((run) => !eventful(run)).length;
        const listed = (idleToo ? data.runs : data.runs.filter(eventful)).slice(0, RUNS_SHOWN);
        return (
          <>
            <Switch
              label={`Also show runs that changed nothing (${idle} of the last ${data.runs.length})`}
              checked={idleToo}
              onChange={(_event, change) => setIdleToo(change.checked)}
            />
            {listed.length === 0 ? (
              <EmptyState>None of the last {data.runs.length} runs changed anything or failed.</EmptyState>
            ) : (
              <div className={layout.tableScroll}>
                <Table size="small" aria-label="Recent sync runs">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Started</TableHeaderCell>
                      <TableHeaderCell>Mailbox</TableHeaderCell>
                      <TableHeaderCell className={layout.wideOnly}>Trigger</TableHeaderCell>
                      <TableHeaderCell>Outcome</TableHeaderCell>
                      <TableHeaderCell>Items</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {listed.map((run) => (
                      <TableRow key={run.runId}>
                        <TableCell>{formatDateTime(run.startedAt)}</TableCell>
                        <TableCell>{names.get(run.zohoUserId) ?? run.zohoUserId}</TableCell>
                        <TableCell className={layout.wideOnly}>{run.trigger}</TableCell>
                        <TableCell>
                          <Badge appearance="tint" color={runStatusColor[run.status]} style={{ whiteSpace: "nowrap" }}>
                            {run.status}
                          </Badge>
                          {run.failures > 0 ? ` ${run.failures} failed` : ""}
                        </TableCell>
                        <TableCell>{runItems(run)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}
          </>
        );
      }}
    </QueryView>
  );
}

function Throttling({ dashboard }: { dashboard: Dashboard }) {
  if (dashboard.throttling.length === 0) return <EmptyState>No mailbox is throttled.</EmptyState>;
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }}>
      {dashboard.throttling.map((state) => (
        <li key={`${state.by}-${state.mailbox ?? "all"}`}>
          <Text weight="semibold">
            Throttled by {state.by === "exchange" ? "Exchange" : "Zoho CRM"} until {formatTime(state.until)}
          </Text>{" "}
          <Text>
            — {state.mailbox ?? "all mailboxes"}: {state.reason}
          </Text>
        </li>
      ))}
    </ul>
  );
}

function WhyDialog({ failure, onClose }: { failure: SyncFailure; onClose: () => void }) {
  const explanation = useAdminQuery("explainItem", {
    side: failure.item.side,
    module: failure.item.module,
    id: failure.item.id,
  });
  return (
    <Dialog open onOpenChange={(_event, data) => (data.open ? undefined : onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Why: {failure.item.title}</DialogTitle>
          <DialogContent>
            <QueryView query={explanation} label="explanation">
              {(why) => (
                <>
                  <Text as="p">{why.summary}</Text>
                  {why.counterpart === null ? null : (
                    <Text as="p">
                      Paired with {why.counterpart.title} in {why.counterpart.side === "zoho" ? "Zoho" : "Exchange"}.
                    </Text>
                  )}
                  <ul>
                    {why.events.map((event) => (
                      <li key={`${event.at}-${event.action}`}>
                        {formatDateTime(event.at)}: {event.action} — {event.outcome}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </QueryView>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function Failures({ failures }: { failures: SyncFailure[] }) {
  const layout = useLayoutStyles();
  const [asked, setAsked] = useState<SyncFailure | null>(null);
  if (failures.length === 0) return <EmptyState>No failures. Everything synced.</EmptyState>;
  return (
    <div className={layout.tableScroll}>
      <Table size="small" aria-label="Recent failures">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>Item</TableHeaderCell>
            <TableHeaderCell>Reason</TableHeaderCell>
            <TableHeaderCell className={layout.wideOnly}>Mailbox</TableHeaderCell>
            <TableHeaderCell>
              <span className="visually-hidden">Details</span>
            </TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {failures.map((failure) => (
            <TableRow key={failure.id}>
              <TableCell>{formatDateTime(failure.at)}</TableCell>
              <TableCell>
                <Text weight="semibold">{failure.item.title}</Text>
                <div>
                  <Text size={200}>
                    {moduleLabel[failure.module]}, {flowLabel[failure.direction]}
                  </Text>
                </div>
              </TableCell>
              <TableCell style={{ overflowWrap: "anywhere" }}>
                <Badge
                  appearance="tint"
                  color={failure.willRetry ? "warning" : "danger"}
                  style={{ whiteSpace: "nowrap" }}
                >
                  {failure.code}
                </Badge>{" "}
                {failure.reason}
                {failure.field === null ? "" : ` (field ${failure.field})`}
                {failure.willRetry ? " — will retry" : ""}
              </TableCell>
              <TableCell className={layout.wideOnly}>{failure.mailbox}</TableCell>
              <TableCell>
                <Button size="small" onClick={() => setAsked(failure)}>
                  Why?
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {asked === null ? null : <WhyDialog failure={asked} onClose={() => setAsked(null)} />}
    </div>
  );
}

function ConflictFieldsTable({
  conflict,
  fields,
  label,
  keep,
}: {
  conflict: Conflict;
  fields: string[];
  label: string;
  keep?: (field: string, label: string) => ReactNode;
}) {
  const styles = useStyles();
  const layout = useLayoutStyles();
  return (
    <div className={layout.tableScroll}>
      <Table size="small" aria-label={label} className={styles.conflictTable}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.fieldColumn}>Field</TableHeaderCell>
            <TableHeaderCell>Zoho CRM ({formatDateTime(conflict.zoho.modifiedAt)})</TableHeaderCell>
            <TableHeaderCell>Exchange ({formatDateTime(conflict.exchange.modifiedAt)})</TableHeaderCell>
            {keep ? <TableHeaderCell className={styles.keepColumn}>Keep</TableHeaderCell> : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {fields.map((field) => {
            const fieldLabel = conflictFieldLabel(conflict, field);
            return (
              <TableRow key={field} className={keep ? styles.differs : undefined}>
                <TableCell className={styles.fieldColumn}>{fieldLabel}</TableCell>
                <TableCell className={styles.value}>{conflictFieldValue(field, conflict.zoho.fields[field])}</TableCell>
                <TableCell className={styles.value}>
                  {conflictFieldValue(field, conflict.exchange.fields[field])}
                </TableCell>
                {keep ? <TableCell className={styles.keepColumn}>{keep(field, fieldLabel)}</TableCell> : null}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

function ConflictCard({
  conflict,
  mailbox,
  onResolved,
}: {
  conflict: Conflict;
  /** The user whose sync found it. */
  mailbox: string | null;
  onResolved: () => void;
}) {
  const layout = useLayoutStyles();
  const resolve = useAdminMutation("resolveConflict");
  const [picks, setPicks] = useState<Record<string, "zoho" | "exchange">>({});
  const [showOthers, setShowOthers] = useState(false);
  const others = [...new Set([...Object.keys(conflict.zoho.fields), ...Object.keys(conflict.exchange.fields)])].filter(
    (field) => !conflict.conflictingFields.includes(field),
  );
  const allPicked = conflict.conflictingFields.every((field) => picks[field] !== undefined);
  const send = async (request: Parameters<typeof resolve.run>[0]) => {
    if ((await resolve.run(request, { id: conflict.id })) !== undefined) onResolved();
  };
  return (
    <Card>
      <CardHeader
        header={<Text weight="semibold">{conflict.title}</Text>}
        description={
          <Text size={200}>
            {[moduleLabel[conflict.module], mailbox, `detected ${formatDateTime(conflict.detectedAt)}`]
              .filter(Boolean)
              .join(" · ")}{" "}
            · changed on both sides:{" "}
            {conflict.conflictingFields.map((field) => conflictFieldLabel(conflict, field)).join(", ")}
          </Text>
        }
      />
      <ConflictFieldsTable
        conflict={conflict}
        fields={conflict.conflictingFields}
        label={`Conflict: ${conflict.title}`}
        keep={(field, fieldLabel) => (
          <RadioGroup
            aria-label={`Keep ${fieldLabel} from`}
            value={picks[field] ?? ""}
            onChange={(_event, data) => setPicks({ ...picks, [field]: data.value === "zoho" ? "zoho" : "exchange" })}
          >
            <Radio value="zoho" label="Zoho" />
            <Radio value="exchange" label="Exchange" />
          </RadioGroup>
        )}
      />
      {others.length === 0 ? null : (
        <div>
          <Button
            appearance="subtle"
            size="small"
            aria-expanded={showOthers}
            onClick={() => setShowOthers(!showOthers)}
          >
            {showOthers ? "Hide the other fields" : `Show the other ${others.length} fields`}
          </Button>
          {showOthers ? (
            <ConflictFieldsTable conflict={conflict} fields={others} label={`Other fields: ${conflict.title}`} />
          ) : null}
        </div>
      )}
      {resolve.state.status === "error" ? <ErrorBar error={resolve.state.error} /> : null}
      <div className={layout.actions}>
        <Button onClick={() => send({ resolution: "keep-zoho" })}>Keep Zoho version</Button>
        <Button onClick={() => send({ resolution: "keep-exchange" })}>Keep Exchange version</Button>
        <Button appearance="primary" disabled={!allPicked} onClick={() => send({ resolution: "merge", fields: picks })}>
          Merge picked fields
        </Button>
      </div>
    </Card>
  );
}

/** The first few conflicts, then the rest on request: a first sync can queue dozens. */
function ConflictQueue({
  conflicts,
  names,
  onResolved,
}: {
  conflicts: Conflict[];
  names: Map<string, string>;
  onResolved: () => void;
}) {
  const layout = useLayoutStyles();
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? conflicts : conflicts.slice(0, CONFLICTS_SHOWN);
  return (
    <>
      <Text>
        {conflicts.length === 1 ? "1 item was" : `${conflicts.length} items were`} changed on both sides and wait for
        your decision; until then neither side is overwritten.
      </Text>
      {shown.map((conflict) => (
        <ConflictCard
          key={conflict.id}
          conflict={conflict}
          mailbox={names.get(conflict.zohoUserId) ?? null}
          onResolved={onResolved}
        />
      ))}
      {shown.length < conflicts.length ? (
        <div className={layout.actions}>
          <Button onClick={() => setShowAll(true)}>Show all {conflicts.length} conflicts</Button>
        </div>
      ) : null}
    </>
  );
}

function HoldCard({ hold, onResolved }: { hold: MassDeleteHold; onResolved: () => void }) {
  const layout = useLayoutStyles();
  const resolve = useAdminMutation("resolveHold");
  const otherSide = hold.missingOn === "zoho" ? "Exchange" : "Zoho CRM";
  const send = async (decision: "confirm" | "reject") => {
    if ((await resolve.run({ decision }, { id: hold.id })) !== undefined) onResolved();
  };
  return (
    <Card>
      <MessageBar layout="multiline" intent="warning">
        <MessageBarBody>
          <MessageBarTitle>
            {hold.deletions} of {hold.itemsBefore} {moduleLabel[hold.module].toLowerCase()} disappeared from{" "}
            {hold.missingOn === "zoho" ? "Zoho CRM" : "Exchange"}
          </MessageBarTitle>
          Mailbox {hold.mailbox}, {formatDateTime(hold.detectedAt)}. Sync for this module is paused until you decide.
        </MessageBarBody>
      </MessageBar>
      <ul style={{ margin: 0 }}>
        {hold.sample.map((item) => (
          <li key={item.id}>{item.title}</li>
        ))}
      </ul>
      {resolve.state.status === "error" ? <ErrorBar error={resolve.state.error} /> : null}
      <div className={layout.actions}>
        <Button appearance="primary" onClick={() => send("reject")}>
          Keep them (restore from {otherSide})
        </Button>
        <Button onClick={() => send("confirm")}>Delete them in {otherSide} too</Button>
      </div>
    </Card>
  );
}

export function DashboardPage() {
  const layout = useLayoutStyles();
  const [range, setRange] = useState<Range>("24h");
  const dashboard = useAdminQuery("dashboard", { range }, { refreshMs: REFRESH_MS });
  const conflicts = useAdminQuery("conflicts", {}, { refreshMs: REFRESH_MS });
  const holds = useAdminQuery("holds", {}, { refreshMs: REFRESH_MS });
  const syncNow = useAdminMutation("syncNow");
  const refreshing = dashboard.state.status === "ready" && dashboard.state.refreshing;

  return (
    <div className={layout.stack}>
      <div className={layout.actions} style={{ justifyContent: "space-between" }}>
        <Field label="Period" orientation="horizontal">
          <Select value={range} onChange={(_event, data) => setRange(data.value as Range)}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
          </Select>
        </Field>
        <div className={layout.actions}>
          {refreshing ? <Spinner size="extra-tiny" label="Refreshing" /> : null}
          <Button onClick={dashboard.reload}>Refresh</Button>
          <Button appearance="primary" onClick={() => syncNow.run({})} disabled={syncNow.state.status === "running"}>
            Sync now
          </Button>
        </div>
      </div>
      {syncNow.state.status === "done" ? (
        <MessageBar layout="multiline" intent="info">
          <MessageBarBody>Sync queued for {usersQueued(syncNow.state.data)} mailboxes.</MessageBarBody>
        </MessageBar>
      ) : null}
      {syncNow.state.status === "error" ? <ErrorBar error={syncNow.state.error} /> : null}
      <QueryView query={dashboard} label="dashboard">
        {(data) => (
          <>
            <SummaryCards dashboard={data} />
            <div className={layout.columns}>
              <Section title="Synced per module">
                <TotalsTable dashboard={data} />
              </Section>
              <Section title="Synced items and errors">
                <SyncChart buckets={data.history} />
              </Section>
            </div>
            <Section title="Mailboxes">
              <MailboxTable dashboard={data} />
            </Section>
            <Section title="Recent runs">
              <RunHistory names={new Map(data.users.map((user) => [user.zohoUserId, user.name]))} />
            </Section>
            <Section title="Throttling">
              <Throttling dashboard={data} />
            </Section>
            <Section title="Recent failures">
              <Failures failures={data.recentFailures} />
            </Section>
          </>
        )}
      </QueryView>
      <Section title="Mass-delete holds">
        <QueryView
          query={holds}
          label="holds"
          isEmpty={(data) => data.holds.length === 0}
          empty="No deletions are on hold."
        >
          {(data) => data.holds.map((hold) => <HoldCard key={hold.id} hold={hold} onResolved={holds.reload} />)}
        </QueryView>
      </Section>
      <Section title="Conflict queue">
        <QueryView
          query={conflicts}
          label="conflicts"
          isEmpty={(data) => data.conflicts.length === 0}
          empty="No conflicts wait for a decision."
        >
          {(data) => (
            <ConflictQueue
              conflicts={data.conflicts}
              names={
                new Map(
                  dashboard.state.status === "ready"
                    ? dashboard.state.data.users.map((user) => [user.zohoUserId, user.name])
                    : [],
                )
              }
              onResolved={conflicts.reload}
            />
          )}
        </QueryView>
      </Section>
    </div>
  );
}
