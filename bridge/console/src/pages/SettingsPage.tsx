/**
 * Sync settings: per module on/off, direction, conflict rule and filters; the schedule; the mass-delete threshold.
 * Saving needs a dry-run preview of exactly the settings being saved: any edit discards the preview, so the admin
 * always sees what the next sync will do before committing to it. Saves carry the revision read (409 → reload).
 */
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Select,
  Switch,
  Text,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { z } from "zod";
import {
  ConflictRule,
  type DryRunPreview,
  type ModuleSettings,
  SyncDirection,
  SyncModule,
  type SyncSettings,
  SyncSettingsInput,
} from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { CountsTable } from "../components/CountsTable.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { ErrorBar, QueryView } from "../components/QueryView.js";
import { formatDateTime, moduleLabel } from "../format.js";
import { fieldState, validate } from "../validation.js";

type ModuleConfig = z.infer<typeof ModuleSettings>;

const directionLabel: Record<z.infer<typeof SyncDirection>, string> = {
  "two-way": "Two-way",
  "zoho-to-exchange": "One-way: Zoho → Exchange",
  "exchange-to-zoho": "One-way: Exchange → Zoho",
};

const conflictLabel: Record<z.infer<typeof ConflictRule>, string> = {
  "crm-wins": "CRM wins",
  "exchange-wins": "Exchange wins",
  "field-merge": "Merge fields (overlaps to the queue)",
  manual: "Manual: every conflict to the queue",
};

const moduleColumns = {
  display: "grid",
  gridTemplateColumns: "140px 64px minmax(180px, 1fr) minmax(200px, 1fr)",
  columnGap: tokens.spacingHorizontalM,
  rowGap: tokens.spacingVerticalXS,
  alignItems: "center",
} as const;

const useStyles = makeStyles({
  moduleHeader: { ...moduleColumns, "@media (max-width: 640px)": { display: "none" } },
  moduleRow: {
    ...moduleColumns,
    border: "none",
    margin: 0,
    padding: `0 0 ${tokens.spacingVerticalS} 0`,
    minWidth: 0,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    "@media (max-width: 640px)": { gridTemplateColumns: "1fr auto" },
  },
  wide: { "@media (max-width: 640px)": { gridColumn: "1 / -1" } },
});

function PreviewView({ preview }: { preview: DryRunPreview }) {
  const layout = useLayoutStyles();
  const changes = preview.rows.filter((row) => Object.values(row.counts).some((count) => count > 0));
  return (
    <div aria-live="polite" className={layout.stack}>
      <Text>
        Preview for {preview.usersPreviewed} users, {formatDateTime(preview.generatedAt)}.
      </Text>
      {preview.warnings.map((warning) => (
        <MessageBar key={warning} layout="multiline" intent="warning">
          <MessageBarBody>{warning}</MessageBarBody>
        </MessageBar>
      ))}
      {changes.length === 0 ? (
        <Text italic>The next sync would change nothing.</Text>
      ) : (
        <CountsTable rows={changes} label="What the next sync would do" verbs={["Create", "Update", "Delete"]} />
      )}
      <Text weight="semibold">Invitations that would be sent: {preview.invitations.length}</Text>
      {preview.invitations.length === 0 ? null : (
        <ul>
          {preview.invitations.map((invitation) => (
            <li key={`${invitation.subject}-${invitation.start}`}>
              {invitation.subject} ({formatDateTime(invitation.start)}) from {invitation.organizer} to{" "}
              {invitation.attendees.join(", ")}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ModuleFiltersEditor({
  module,
  config,
  onChange,
}: {
  module: z.infer<typeof SyncModule>;
  config: ModuleConfig;
  onChange: (filters: ModuleConfig["filters"]) => void;
}) {
  const layout = useLayoutStyles();
  const filters = config.filters;
  const nullable = (value: string) => (value.trim() === "" ? null : value);
  return (
    <div className={layout.form}>
      <Checkbox
        label="Only records the user owns in Zoho"
        checked={filters.ownedRecordsOnly}
        onChange={(_event, data) => onChange({ ...filters, ownedRecordsOnly: data.checked === true })}
      />
      {module === "events" ? (
        <Checkbox
          label="Mail invitations to attendees when the bridge writes a meeting to Exchange"
          checked={filters.sendInvitations === true}
          onChange={(_event, data) => onChange({ ...filters, sendInvitations: data.checked === true })}
        />
      ) : null}
      {module === "emails" ? (
        <Checkbox
          label="File attachments with the e-mail (up to 10 MB per e-mail)"
          checked={filters.includeAttachments === true}
          onChange={(_event, data) => onChange({ ...filters, includeAttachments: data.checked === true })}
        />
      ) : null}
      <Field label="Exchange category" hint="Empty: all items.">
        <Input
          value={filters.exchangeCategory ?? ""}
          onChange={(_event, data) => onChange({ ...filters, exchangeCategory: nullable(data.value) })}
        />
      </Field>
      {module === "contacts" ? null : (
        <Field label="Ignore items older than (days)" hint="Empty: no limit.">
          <Input
            type="number"
            min={0}
            value={filters.pastDays === null ? "" : String(filters.pastDays)}
            onChange={(_event, data) =>
              onChange({ ...filters, pastDays: data.value === "" ? null : Number(data.value) })
            }
          />
        </Field>
      )}
    </div>
  );
}

function SettingsForm({
  stored,
  justSaved,
  onSaved,
  onReload,
}: {
  stored: SyncSettings;
  /** The form was just re-created from a save's reply: say so until the next edit. */
  justSaved: boolean;
  onSaved: (settings: SyncSettings) => void;
  onReload: () => void;
}) {
  const layout = useLayoutStyles();
  const styles = useStyles();
  const preview = useAdminMutation("previewSync");
  const save = useAdminMutation("saveSyncSettings");
  const [draft, setDraft] = useState<z.input<typeof SyncSettingsInput>>(() => ({
    modules: stored.modules,
    schedule: stored.schedule,
    massDeleteThresholdPercent: stored.massDeleteThresholdPercent,
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [savedNotice, setSavedNotice] = useState(justSaved);
  const edit = (next: typeof draft) => {
    setDraft(next);
    setSavedNotice(false);
    preview.clear();
    save.clear();
  };
  const editModule = (module: z.infer<typeof SyncModule>, patch: Partial<ModuleConfig>) =>
    edit({ ...draft, modules: { ...draft.modules, [module]: { ...draft.modules[module], ...patch } } });

  const checked = () => {
    const result = validate(SyncSettingsInput, draft);
    setErrors(result.ok ? {} : result.errors);
    return result.ok ? result.data : undefined;
  };
  const runPreview = () => {
    const settings = checked();
    if (settings !== undefined) preview.run({ settings });
  };
  const runSave = async () => {
    const settings = checked();
    if (settings === undefined) return;
    const saved = await save.run({ ...settings, revision: stored.revision });
    if (saved !== undefined) onSaved(saved);
  };
  const previewed = preview.state.status === "done";

  return (
    <>
      <Section title="Modules">
        {/* A grid, not a table: on a narrow Web Tab each module's selects wrap under its name. */}
        <div className={styles.moduleHeader} aria-hidden="true">
          <Text weight="semibold">Module</Text>
          <Text weight="semibold">Sync</Text>
          <Text weight="semibold">Direction</Text>
          <Text weight="semibold">When both sides changed</Text>
        </div>
        {SyncModule.options.map((module) => {
          const config = draft.modules[module];
          return (
            <fieldset key={module} className={styles.moduleRow} aria-label={moduleLabel[module]}>
              <Text>{moduleLabel[module]}</Text>
              <Switch
                checked={config.enabled}
                aria-label={`Sync ${moduleLabel[module]}`}
                onChange={(_event, data) => editModule(module, { enabled: data.checked })}
              />
              <Select
                className={styles.wide}
                aria-label={`${moduleLabel[module]} direction`}
                value={config.direction}
                disabled={!config.enabled}
                onChange={(_event, data) => editModule(module, { direction: SyncDirection.parse(data.value) })}
              >
                {SyncDirection.options.map((direction) => (
                  <option key={direction} value={direction}>
                    {directionLabel[direction]}
                  </option>
                ))}
              </Select>
              <Select
                className={styles.wide}
                aria-label={`${moduleLabel[module]} conflict rule`}
                value={config.conflictRule}
                disabled={!config.enabled || config.direction !== "two-way"}
                onChange={(_event, data) => editModule(module, { conflictRule: ConflictRule.parse(data.value) })}
              >
                {ConflictRule.options.map((rule) => (
                  <option key={rule} value={rule}>
                    {conflictLabel[rule]}
                  </option>
                ))}
              </Select>
            </fieldset>
          );
        })}
        <Accordion collapsible multiple>
          {SyncModule.options.map((module) => (
            <AccordionItem key={module} value={module}>
              <AccordionHeader>{moduleLabel[module]} filters</AccordionHeader>
              <AccordionPanel>
                <ModuleFiltersEditor
                  module={module}
                  config={draft.modules[module]}
                  onChange={(filters) => editModule(module, { filters })}
                />
              </AccordionPanel>
            </AccordionItem>
          ))}
        </Accordion>
      </Section>
      <Section title="Schedule and safety">
        <div className={layout.form}>
          <Field label="Sync every (minutes)" {...fieldState(errors, "schedule.intervalMinutes")}>
            <Input
              type="number"
              min={5}
              max={1440}
              value={String(draft.schedule.intervalMinutes)}
              onChange={(_event, data) =>
                edit({ ...draft, schedule: { ...draft.schedule, intervalMinutes: Number(data.value) } })
              }
            />
          </Field>
          <Checkbox
            label="Only sync between set hours"
            checked={draft.schedule.activeHours !== null}
            onChange={(_event, data) =>
              edit({
                ...draft,
                schedule: {
                  ...draft.schedule,
                  activeHours: data.checked === true ? { from: "07:00", to: "20:00" } : null,
                },
              })
            }
          />
          {draft.schedule.activeHours === null ? null : (
            <>
              <Field label="From" {...fieldState(errors, "schedule.activeHours.from")}>
                <Input
                  type="time"
                  value={draft.schedule.activeHours.from}
                  onChange={(_event, data) =>
                    edit({
                      ...draft,
                      schedule: {
                        ...draft.schedule,
                        activeHours: { to: draft.schedule.activeHours?.to ?? "20:00", from: data.value },
                      },
                    })
                  }
                />
              </Field>
              <Field label="To" {...fieldState(errors, "schedule.activeHours.to")}>
                <Input
                  type="time"
                  value={draft.schedule.activeHours.to}
                  onChange={(_event, data) =>
                    edit({
                      ...draft,
                      schedule: {
                        ...draft.schedule,
                        activeHours: { from: draft.schedule.activeHours?.from ?? "07:00", to: data.value },
                      },
                    })
                  }
                />
              </Field>
            </>
          )}
          <Field
            label="Hold a run that deletes more than (%)"
            hint="Deletions above this share of a module wait for your confirmation on the dashboard."
            {...fieldState(errors, "massDeleteThresholdPercent")}
          >
            <Input
              type="number"
              min={1}
              max={100}
              value={String(draft.massDeleteThresholdPercent)}
              onChange={(_event, data) => edit({ ...draft, massDeleteThresholdPercent: Number(data.value) })}
            />
          </Field>
        </div>
      </Section>
      <Section title="Preview and save">
        <Text>Preview what the next sync would do with these settings; saving is possible once you have seen it.</Text>
        {preview.state.status === "done" ? <PreviewView preview={preview.state.data} /> : null}
        {preview.state.status === "error" ? <ErrorBar error={preview.state.error} title="Preview failed" /> : null}
        {save.state.status === "error" ? (
          <ErrorBar
            error={save.state.error}
            title={
              save.state.error.code === "stale-revision" ? "Someone else saved these settings meanwhile" : "Not saved"
            }
            onRetry={save.state.error.code === "stale-revision" ? onReload : undefined}
          />
        ) : null}
        {savedNotice ? (
          <MessageBar layout="multiline" intent="success">
            <MessageBarBody>
              <MessageBarTitle>Saved</MessageBarTitle>
              The next sync uses these settings.
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={layout.actions}>
          <Button onClick={runPreview} disabled={preview.state.status === "running"}>
            {preview.state.status === "running" ? "Previewing…" : "Preview next sync (dry run)"}
          </Button>
          <Button appearance="primary" onClick={runSave} disabled={!previewed || save.state.status === "running"}>
            Save settings
          </Button>
        </div>
      </Section>
    </>
  );
}

export function SettingsPage() {
  const layout = useLayoutStyles();
  const settings = useAdminQuery("syncSettings", {});
  const [savedRevision, setSavedRevision] = useState<number | null>(null);
  return (
    <div className={layout.stack}>
      <QueryView query={settings} label="sync settings">
        {(stored) => (
          // A new revision re-creates the form from what is stored now.
          <SettingsForm
            key={stored.revision}
            stored={stored}
            justSaved={savedRevision === stored.revision}
            onSaved={(saved) => {
              setSavedRevision(saved.revision);
              settings.replace(saved);
            }}
            onReload={settings.reload}
          />
        )}
      </QueryView>
    </div>
  );
}
