/**
 * Users: the Zoho users with their mailbox, profile, status and sync state. Selection is edited locally and saved
 * as one change set (select/deselect); only active Zoho users can be ticked, and the bridge's rejections are shown.
 * Per user: re-authorize (test the credential), reset (forget sync state, re-match on the next run), sync now.
 */
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
} from "@fluentui/react-components";
import { MoreHorizontalRegular, SearchRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { type BridgeUser, UpdateUserRequest } from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { ConnectionTestView } from "../components/ConnectionTestView.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { ErrorBar, QueryView } from "../components/QueryView.js";
import { SyncStateChip, ZohoStatusChip } from "../components/StatusChip.js";
import { formatDateTime, usersQueued } from "../format.js";
import { fieldState, validate } from "../validation.js";

function RowActions({ user, onChanged }: { user: BridgeUser; onChanged: () => void }) {
  const reauthorize = useAdminMutation("reauthorizeUser");
  const reset = useAdminMutation("resetUser");
  const syncNow = useAdminMutation("syncNow");
  const update = useAdminMutation("updateUser");
  const [confirmReset, setConfirmReset] = useState(false);
  const [editing, setEditing] = useState(false);
  const [mailbox, setMailbox] = useState(user.mailbox);
  const [mailboxErrors, setMailboxErrors] = useState<Record<string, string>>({});
  const params = { zohoUserId: user.zohoUserId };
  const outcome =
    reauthorize.state.status === "done" ? (
      <ConnectionTestView result={reauthorize.state.data} />
    ) : syncNow.state.status === "done" ? (
      <Text size={200}>
        {syncNow.state.data.queued.length > 0 ? "Sync queued" : syncNow.state.data.skipped[0]?.reason}
      </Text>
    ) : reset.state.status === "done" ? (
      <Text size={200}>Sync state reset; the next run re-matches.</Text>
    ) : null;
  const failure = [reauthorize.state, reset.state, syncNow.state, update.state].find(
    (state) => state.status === "error",
  );
  return (
    <>
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <Button appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={`Actions for ${user.name}`} />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem disabled={!user.selected} onClick={() => syncNow.run({ zohoUserIds: [user.zohoUserId] })}>
              Sync now
            </MenuItem>
            <MenuItem onClick={() => reauthorize.run({}, params)}>Re-authorize</MenuItem>
            <MenuItem onClick={() => setEditing(true)}>Change mailbox…</MenuItem>
            <MenuItem onClick={() => setConfirmReset(true)}>Reset sync state…</MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      {outcome}
      {failure?.status === "error" ? <ErrorBar error={failure.error} /> : null}
      <Dialog open={editing} onOpenChange={(_event, data) => setEditing(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Mailbox for {user.name}</DialogTitle>
            <DialogContent>
              <Field
                label="Exchange mailbox"
                hint="Use this when the Exchange address differs from the Zoho e-mail."
                {...fieldState(mailboxErrors, "mailbox")}
              >
                <Input type="email" value={mailbox} onChange={(_event, data) => setMailbox(data.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setEditing(false)}>Cancel</Button>
              <Button
                appearance="primary"
                onClick={async () => {
                  const checked = validate(UpdateUserRequest, { mailbox });
                  setMailboxErrors(checked.ok ? {} : checked.errors);
                  if (!checked.ok) return;
                  setEditing(false);
                  if ((await update.run(checked.data, params)) !== undefined) onChanged();
                }}
              >
                Save mailbox
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
      <Dialog open={confirmReset} onOpenChange={(_event, data) => setConfirmReset(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Reset {user.name}?</DialogTitle>
            <DialogContent>
              The bridge forgets which items it paired for {user.mailbox}. Nothing is deleted in Zoho or Exchange; the
              next sync matches existing items again instead of duplicating them.
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirmReset(false)}>Cancel</Button>
              <Button
                appearance="primary"
                onClick={async () => {
                  setConfirmReset(false);
                  if ((await reset.run({}, params)) !== undefined) onChanged();
                }}
              >
                Reset
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

function UserTable({
  users,
  onSaved,
  onReload,
}: {
  users: BridgeUser[];
  onSaved: (users: BridgeUser[]) => void;
  onReload: () => void;
}) {
  const layout = useLayoutStyles();
  const select = useAdminMutation("selectUsers");
  const syncNow = useAdminMutation("syncNow");
  const [search, setSearch] = useState("");
  const [pending, setPending] = useState<Map<string, boolean>>(new Map());
  const isSelected = (user: BridgeUser) => pending.get(user.zohoUserId) ?? user.selected;
  const toggle = (user: BridgeUser, selected: boolean) =>
    setPending((previous) => {
      const next = new Map(previous);
      if (selected === user.selected) next.delete(user.zohoUserId);
      else next.set(user.zohoUserId, selected);
      return next;
    });

  const needle = search.trim().toLowerCase();
  const shown = users.filter((user) =>
    [user.name, user.email, user.mailbox, user.profile].some((text) => text.toLowerCase().includes(needle)),
  );
  const selectable = shown.filter((user) => user.zohoStatus === "active");
  const allShownSelected = selectable.length > 0 && selectable.every(isSelected);
  const someShownSelected = selectable.some(isSelected);
  const selectedCount = users.filter(isSelected).length;

  const save = async () => {
    const changes = [...pending.entries()];
    const result = await select.run({
      select: changes.filter(([, selected]) => selected).map(([id]) => id),
      deselect: changes.filter(([, selected]) => !selected).map(([id]) => id),
    });
    if (result !== undefined) {
      setPending(new Map());
      onSaved(result.users);
    }
  };

  return (
    <Section
      title="Zoho CRM users"
      actions={
        <Input
          contentBefore={<SearchRegular />}
          placeholder="Search name, e-mail, profile"
          aria-label="Search users"
          value={search}
          onChange={(_event, data) => setSearch(data.value)}
        />
      }
    >
      <Text>
        {selectedCount} of {users.length} users selected for sync. Only active Zoho users can be selected.
      </Text>
      {select.state.status === "done" && select.state.data.rejected.length > 0 ? (
        <MessageBar layout="multiline" intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Some users were not selected</MessageBarTitle>
            {select.state.data.rejected.map((entry) => `${entry.zohoUserId}: ${entry.reason}`).join("; ")}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {select.state.status === "error" ? <ErrorBar error={select.state.error} /> : null}
      {syncNow.state.status === "error" ? <ErrorBar error={syncNow.state.error} /> : null}
      {syncNow.state.status === "done" ? (
        <MessageBar layout="multiline" intent="info">
          <MessageBarBody>
            Sync queued for {usersQueued(syncNow.state.data)} users
            {syncNow.state.data.skipped.length > 0
              ? `; skipped: ${syncNow.state.data.skipped.map((entry) => `${entry.zohoUserId} (${entry.reason})`).join(", ")}`
              : ""}
            .
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={layout.tableScroll}>
        {/* Sized by content: equal fixed columns ran long mailbox addresses into the profile column. */}
        <Table aria-label="Zoho CRM users" style={{ tableLayout: "auto" }}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell style={{ width: 44 }}>
                <Checkbox
                  aria-label="Select all active users shown"
                  checked={allShownSelected ? true : someShownSelected ? "mixed" : false}
                  disabled={selectable.length === 0}
                  onChange={(_event, data) => {
                    for (const user of selectable) toggle(user, data.checked === true);
                  }}
                />
              </TableHeaderCell>
              <TableHeaderCell>User</TableHeaderCell>
              <TableHeaderCell className={layout.wideOnly}>Mailbox</TableHeaderCell>
              <TableHeaderCell className={layout.wideOnly}>Profile</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell className={layout.wideOnly}>Last sync</TableHeaderCell>
              <TableHeaderCell>Errors</TableHeaderCell>
              <TableHeaderCell style={{ width: 60 }}>
                <span className="visually-hidden">Actions</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((user) => {
              const active = user.zohoStatus === "active";
              const checkbox = (
                <Checkbox
                  aria-label={`Sync ${user.name}`}
                  checked={isSelected(user)}
                  disabled={!active}
                  onChange={(_event, data) => toggle(user, data.checked === true)}
                />
              );
              return (
                <TableRow key={user.zohoUserId} data-user={user.email}>
                  <TableCell>
                    {active ? (
                      checkbox
                    ) : (
                      <Tooltip content="Only active Zoho users can be synced" relationship="description">
                        <span>{checkbox}</span>
                      </Tooltip>
                    )}
                  </TableCell>
                  <TableCell>
                    <div>
                      <Text weight="semibold">{user.name}</Text>
                    </div>
                    <Text size={200}>{user.email}</Text>
                  </TableCell>
                  <TableCell className={layout.wideOnly}>{user.mailbox}</TableCell>
                  <TableCell className={layout.wideOnly}>{user.profile}</TableCell>
                  <TableCell>
                    <div className={layout.actions}>
                      <ZohoStatusChip status={user.zohoStatus} />
                      {active ? <SyncStateChip state={user.syncState} /> : null}
                    </div>
                  </TableCell>
                  <TableCell className={layout.wideOnly}>{formatDateTime(user.lastSyncAt)}</TableCell>
                  <TableCell>
                    {user.errorCount === 0 ? (
                      "0"
                    ) : (
                      <Tooltip content={user.lastError ?? "See the dashboard"} relationship="description">
                        <Text tabIndex={0}>{user.errorCount}</Text>
                      </Tooltip>
                    )}
                  </TableCell>
                  <TableCell>
                    <RowActions user={user} onChanged={onReload} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      {shown.length === 0 ? <Text italic>No user matches “{search}”.</Text> : null}
      <div className={layout.actions}>
        <Button appearance="primary" disabled={pending.size === 0 || select.state.status === "running"} onClick={save}>
          Save selection{pending.size > 0 ? ` (${pending.size} changes)` : ""}
        </Button>
        <Button
          disabled={pending.size > 0 || selectedCount === 0 || syncNow.state.status === "running"}
          onClick={() => syncNow.run({})}
        >
          Sync selected users now
        </Button>
      </div>
    </Section>
  );
}

export function UsersPage() {
  const layout = useLayoutStyles();
  const users = useAdminQuery("users", {});
  return (
    <div className={layout.stack}>
      <QueryView
        query={users}
        label="users"
        isEmpty={(data) => data.users.length === 0}
        empty="Zoho CRM returned no users. Check the Zoho connection in Setup."
      >
        {(data) => (
          <UserTable users={data.users} onSaved={(next) => users.replace({ users: next })} onReload={users.reload} />
        )}
      </QueryView>
    </div>
  );
}
