/**
 * Account: the health of every stored credential, a password update (service account or one user's, in individual
 * mode), and uninstall. Uninstall says plainly that synced contacts, events, tasks and e-mails stay where they are,
 * and needs the word UNINSTALL typed, so it is never a misclick.
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
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useState } from "react";
import type { CredentialHealth } from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { ErrorBar, QueryView } from "../components/QueryView.js";
import { HealthChip } from "../components/StatusChip.js";
import { formatDateTime } from "../format.js";

const subjectLabel: Record<CredentialHealth["credentials"][number]["subject"], string> = {
  "zoho-refresh-token": "Zoho CRM connection",
  "exchange-service-account": "Exchange service account",
  "graph-app-secret": "Office 365 app secret",
  "graph-certificate": "Office 365 app certificate",
};

function HealthTable({ health }: { health: CredentialHealth }) {
  const layout = useLayoutStyles();
  return (
    <>
      <div className={layout.tableScroll}>
        <Table size="small" aria-label="Credential health">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Credential</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell className={layout.wideOnly}>Expires</TableHeaderCell>
              <TableHeaderCell>Detail</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {health.credentials.map((credential) => (
              <TableRow key={credential.subject}>
                <TableCell>{subjectLabel[credential.subject]}</TableCell>
                <TableCell>
                  <HealthChip status={credential.status} />
                </TableCell>
                <TableCell className={layout.wideOnly}>{formatDateTime(credential.expiresAt)}</TableCell>
                <TableCell>{credential.detail}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {health.usersFailing.length === 0 ? null : (
        <MessageBar layout="multiline" intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Users whose password is missing or fails</MessageBarTitle>
            {health.usersFailing.map((user) => user.mailbox).join(", ")}
          </MessageBarBody>
        </MessageBar>
      )}
      <Text size={200}>Checked {formatDateTime(health.checkedAt)}.</Text>
    </>
  );
}

/**
 * Only an on-premises (EWS) connection signs in with passwords; the bridge refuses a password for anything else, so
 * the form would only ever fail there.
 */
function PasswordSection({ onUpdated }: { onUpdated: (health: CredentialHealth) => void }) {
  const exchange = useAdminQuery("exchangeConnection", {});
  return (
    <QueryView
      query={exchange}
      label="Exchange connection"
      wrap={(content) => <Section title="Update password">{content}</Section>}
    >
      {(connection) =>
        connection.kind === "ews" ? (
          <PasswordForm onUpdated={onUpdated} />
        ) : (
          <Section title="Update password">
            <MessageBar layout="multiline" intent="info">
              <MessageBarBody>
                <MessageBarTitle>
                  {connection.kind === "graph" ? "No password to update" : "Exchange is not connected"}
                </MessageBarTitle>
                {connection.kind === "graph"
                  ? "Office 365 is reached with the Entra app's client secret or certificate, not with a password. To replace an expiring secret or certificate, enter the new one in Setup → Exchange."
                  : "Passwords are stored for an on-premises Exchange connection. Connect Exchange in Setup first."}
              </MessageBarBody>
              <MessageBarActions>
                <Button as="a" href="#/setup">
                  Open Setup
                </Button>
              </MessageBarActions>
            </MessageBar>
          </Section>
        )
      }
    </QueryView>
  );
}

function PasswordForm({ onUpdated }: { onUpdated: (health: CredentialHealth) => void }) {
  const layout = useLayoutStyles();
  const users = useAdminQuery("users", {});
  const update = useAdminMutation("updatePassword");
  const [target, setTarget] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const mismatch = repeat !== "" && password !== repeat;
  const selectedUsers = users.state.status === "ready" ? users.state.data.users.filter((user) => user.selected) : [];

  const submit = async () => {
    const health = await update.run({ zohoUserId: target === "" ? undefined : target, password });
    setPassword("");
    setRepeat("");
    if (health !== undefined) onUpdated(health);
  };
  return (
    <Section title="Update password">
      <Text>
        After an Exchange password change, enter the new one here; it is stored encrypted and never shown again.
      </Text>
      <div className={layout.form}>
        <Field label="Whose password">
          <Select value={target} onChange={(_event, data) => setTarget(data.value)}>
            <option value="">Exchange service account</option>
            {selectedUsers.map((user) => (
              <option key={user.zohoUserId} value={user.zohoUserId}>
                {user.name} ({user.mailbox})
              </option>
            ))}
          </Select>
        </Field>
        <Field label="New password" required>
          <Input type="password" value={password} onChange={(_event, data) => setPassword(data.value)} />
        </Field>
        <Field
          label="Repeat the new password"
          required
          validationState={mismatch ? "error" : "none"}
          validationMessage={mismatch ? "The passwords differ." : undefined}
        >
          <Input type="password" value={repeat} onChange={(_event, data) => setRepeat(data.value)} />
        </Field>
      </div>
      {update.state.status === "error" ? <ErrorBar error={update.state.error} title="Password not updated" /> : null}
      {update.state.status === "done" ? (
        <MessageBar layout="multiline" intent="success">
          <MessageBarBody>Password updated and checked.</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={layout.actions}>
        <Button
          appearance="primary"
          disabled={password === "" || password !== repeat || update.state.status === "running"}
          onClick={submit}
        >
          Update password
        </Button>
      </div>
    </Section>
  );
}

function Uninstall() {
  const layout = useLayoutStyles();
  const uninstall = useAdminMutation("uninstall");
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [revoke, setRevoke] = useState(true);

  if (uninstall.state.status === "done") {
    return (
      <Section title="Uninstalled">
        <MessageBar layout="multiline" intent="success">
          <MessageBarBody>
            <MessageBarTitle>The bridge is uninstalled</MessageBarTitle>
            {uninstall.state.data.kept}
          </MessageBarBody>
        </MessageBar>
        <ul>
          {uninstall.state.data.removed.map((item) => (
            <li key={item}>Removed: {item}</li>
          ))}
        </ul>
      </Section>
    );
  }
  return (
    <Section title="Uninstall">
      <Text>
        Uninstalling stops all syncing and removes the bridge's stored credentials and change subscriptions. Contacts,
        events, tasks and e-mails that were already synced are kept in Zoho CRM and in Exchange.
      </Text>
      <div className={layout.actions}>
        <Button onClick={() => setOpen(true)}>Uninstall…</Button>
      </div>
      <Dialog open={open} onOpenChange={(_event, data) => setOpen(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Uninstall the bridge?</DialogTitle>
            <DialogContent>
              <Text as="p">
                Synced data stays in Zoho CRM and Exchange. The bridge deletes its stored credentials; installing again
                later matches existing items instead of duplicating them.
              </Text>
              <Checkbox
                label="Also revoke the Zoho CRM refresh token"
                checked={revoke}
                onChange={(_event, data) => setRevoke(data.checked === true)}
              />
              <Field label="Type UNINSTALL to confirm">
                <Input value={typed} onChange={(_event, data) => setTyped(data.value)} />
              </Field>
              {uninstall.state.status === "error" ? <ErrorBar error={uninstall.state.error} /> : null}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button
                appearance="primary"
                disabled={typed !== "UNINSTALL" || uninstall.state.status === "running"}
                onClick={async () => {
                  if ((await uninstall.run({ confirm: "UNINSTALL", revokeZohoToken: revoke })) !== undefined) {
                    setOpen(false);
                  }
                }}
              >
                Uninstall
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </Section>
  );
}

export function AccountPage() {
  const layout = useLayoutStyles();
  const health = useAdminQuery("credentialHealth", {});
  return (
    <div className={layout.stack}>
      <Section title="Credential health" actions={<Button onClick={health.reload}>Check again</Button>}>
        <QueryView query={health} label="credential health">
          {(data) => <HealthTable health={data} />}
        </QueryView>
      </Section>
      <PasswordSection onUpdated={health.replace} />
      <Uninstall />
    </div>
  );
}
