/**
 * The setup wizard, in the seed's order: Zoho connection → Exchange connection (with a test that names the failing
 * step) → impersonation or individual credentials (with the PowerShell to copy, and a guided migration when the mode
 * changes) → who may use the bridge. Each step saves on its own, so leaving half-way loses nothing; the wizard opens
 * at the first incomplete step the bridge reports.
 */
import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircleFilled } from "@fluentui/react-icons";
import { useState } from "react";
import {
  type AccessPolicy,
  EwsServerVersion,
  type ExchangeConnection,
  ExchangeConnectionInput,
  type ZohoConnection,
  ZohoConnectRequest,
  ZohoDataCentre,
} from "../../../src/api/admin.js";
import { useAdminMutation, useAdminQuery } from "../api/hooks.js";
import { ConnectionTestView } from "../components/ConnectionTestView.js";
import { CopyBlock } from "../components/CopyBlock.js";
import { Section, useLayoutStyles } from "../components/layout.js";
import { ErrorBar, QueryView } from "../components/QueryView.js";
import { fieldState, validate } from "../validation.js";

type WizardStep = "zoho" | "exchange" | "credentials" | "access";
const wizardSteps: Array<{ step: WizardStep; title: string }> = [
  { step: "zoho", title: "Zoho CRM" },
  { step: "exchange", title: "Exchange" },
  { step: "credentials", title: "Credentials" },
  { step: "access", title: "Who may use it" },
];

const useStyles = makeStyles({
  stepper: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, listStyle: "none", padding: 0 },
  current: { fontWeight: tokens.fontWeightSemibold },
});

const secretHint = (state: "set" | "not-set") => (state === "set" ? "Stored. Leave empty to keep it." : undefined);

function ZohoStep({ connection, onSaved }: { connection: ZohoConnection; onSaved: () => void }) {
  const layout = useLayoutStyles();
  const connect = useAdminMutation("connectZoho");
  const test = useAdminMutation("testZoho");
  const [dataCentre, setDataCentre] = useState(connection.dataCentre ?? "US");
  const [clientId, setClientId] = useState(connection.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [grantKind, setGrantKind] = useState<"redirect" | "self-client">("self-client");
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async () => {
    const checked = validate(ZohoConnectRequest, {
      dataCentre,
      clientId,
      clientSecret: clientSecret === "" ? undefined : clientSecret,
      grant: grantKind === "redirect" ? { kind: "redirect" } : { kind: "self-client", code },
    });
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) return;
    const result = await connect.run(checked.data);
    setClientSecret("");
    setCode("");
    if (result?.status === "awaiting-consent" && result.authorizeUrl !== null) {
      window.location.assign(result.authorizeUrl);
    }
  };

  const shown = connect.state.status === "done" ? connect.state.data : connection;
  return (
    <Section title="1. Connect Zoho CRM">
      <Text>
        Create a server-based or Self Client in the Zoho API console of your data centre, then connect with its client
        id and secret. The bridge keeps the refresh token; it never comes back to this page.
      </Text>
      {shown.status === "connected" ? (
        <MessageBar layout="multiline" intent="success">
          <MessageBarBody>
            <MessageBarTitle>Connected</MessageBarTitle>
            {shown.organization?.name ?? "Zoho CRM"} ({shown.dataCentre}, {shown.apiDomain}) as{" "}
            {shown.connectedAs?.email ?? "unknown user"}.
          </MessageBarBody>
        </MessageBar>
      ) : shown.lastError === null ? null : (
        <MessageBar layout="multiline" intent="error">
          <MessageBarBody>
            <MessageBarTitle>Not connected</MessageBarTitle>
            {shown.lastError}
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={layout.form}>
        <Field label="Data centre" required hint="Where your Zoho account lives (accounts.zoho.eu for EU, …).">
          <Select value={dataCentre} onChange={(_event, data) => setDataCentre(ZohoDataCentre.parse(data.value))}>
            {ZohoDataCentre.options.map((dc) => (
              <option key={dc} value={dc}>
                {dc}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Client ID" required {...fieldState(errors, "clientId")}>
          <Input value={clientId} onChange={(_event, data) => setClientId(data.value)} />
        </Field>
        <Field
          label="Client secret"
          required={shown.clientSecret === "not-set"}
          hint={secretHint(shown.clientSecret)}
          {...fieldState(errors, "clientSecret")}
        >
          <Input type="password" value={clientSecret} onChange={(_event, data) => setClientSecret(data.value)} />
        </Field>
      </div>
      <Field label="How to authorize">
        <RadioGroup
          value={grantKind}
          onChange={(_event, data) => setGrantKind(data.value === "redirect" ? "redirect" : "self-client")}
        >
          <Radio value="self-client" label="Paste a grant code from the Self Client" />
          <Radio value="redirect" label="Sign in with Zoho (opens Zoho's consent page)" />
        </RadioGroup>
      </Field>
      {grantKind === "self-client" ? (
        <Field label="Grant code" required {...fieldState(errors, "grant.code")}>
          <Input value={code} onChange={(_event, data) => setCode(data.value)} />
        </Field>
      ) : null}
      {connect.state.status === "error" ? <ErrorBar error={connect.state.error} /> : null}
      {test.state.status === "done" ? <ConnectionTestView result={test.state.data} /> : null}
      {test.state.status === "error" ? <ErrorBar error={test.state.error} /> : null}
      <div className={layout.actions}>
        <Button appearance="primary" onClick={submit} disabled={connect.state.status === "running"}>
          {connect.state.status === "running" ? "Connecting…" : "Connect Zoho CRM"}
        </Button>
        <Button onClick={() => test.run({})} disabled={shown.status !== "connected" || test.state.status === "running"}>
          Test connection
        </Button>
        {shown.status === "connected" ? <Button onClick={onSaved}>Next</Button> : null}
      </div>
    </Section>
  );
}

interface ExchangeDraft {
  kind: "ews" | "graph";
  endpointMode: "url" | "autodiscover";
  ewsUrl: string;
  autodiscoverUrl: string;
  emailAddress: string;
  username: string;
  password: string;
  domain: string;
  authScheme: "basic" | "ntlm";
  serverVersion: string;
  tenantId: string;
  clientId: string;
  credentialType: "secret" | "certificate";
  clientSecret: string;
  /** The secret's "Expires" date as Entra shows it (yyyy-mm-dd), for credential health. */
  secretExpires: string;
  certificatePem: string;
  privateKeyPem: string;
}

function draftFrom(connection: ExchangeConnection): ExchangeDraft {
  const blank: ExchangeDraft = {
    kind: "ews",
    endpointMode: "autodiscover",
    ewsUrl: "",
    autodiscoverUrl: "",
    emailAddress: "",
    username: "",
    password: "",
    domain: "",
    authScheme: "basic",
    serverVersion: "auto",
    tenantId: "",
    clientId: "",
    credentialType: "secret",
    clientSecret: "",
    secretExpires: "",
    certificatePem: "",
    privateKeyPem: "",
  };
  if (connection.kind === "ews") {
    return {
      ...blank,
      endpointMode: connection.endpoint.mode,
      ewsUrl: connection.endpoint.mode === "url" ? connection.endpoint.ewsUrl : "",
      autodiscoverUrl: connection.endpoint.mode === "autodiscover" ? (connection.endpoint.autodiscoverUrl ?? "") : "",
      emailAddress: connection.emailAddress,
      username: connection.username,
      domain: connection.domain,
      authScheme: connection.authScheme,
      serverVersion: connection.serverVersion,
    };
  }
  if (connection.kind === "graph") {
    return {
      ...blank,
      kind: "graph",
      tenantId: connection.tenantId,
      clientId: connection.clientId,
      credentialType: connection.credentialType ?? "secret",
    };
  }
  return blank;
}

/** The request body for a draft; empty secret fields are left out so the stored ones are kept. */
function inputFrom(draft: ExchangeDraft): unknown {
  const optional = (value: string) => (value.trim() === "" ? undefined : value);
  if (draft.kind === "ews") {
    return {
      kind: "ews",
      endpoint:
        draft.endpointMode === "url"
          ? { mode: "url", ewsUrl: draft.ewsUrl }
          : { mode: "autodiscover", autodiscoverUrl: optional(draft.autodiscoverUrl) },
      emailAddress: draft.emailAddress,
      username: optional(draft.username),
      password: optional(draft.password),
      domain: optional(draft.domain),
      authScheme: draft.authScheme,
      serverVersion: draft.serverVersion,
    };
  }
  const credential =
    draft.credentialType === "secret"
      ? optional(draft.clientSecret) && {
          type: "secret",
          clientSecret: draft.clientSecret,
          // Entra shows the date only; the day's start makes the warning come no later than due.
          expiresAt: optional(draft.secretExpires) && `${draft.secretExpires}T00:00:00Z`,
        }
      : optional(draft.privateKeyPem) && {
          type: "certificate",
          certificatePem: draft.certificatePem,
          privateKeyPem: draft.privateKeyPem,
        };
  return { kind: "graph", tenantId: draft.tenantId, clientId: draft.clientId, credential: credential || undefined };
}

function ExchangeStep({ connection, onSaved }: { connection: ExchangeConnection; onSaved: () => void }) {
  const layout = useLayoutStyles();
  const save = useAdminMutation("saveExchangeConnection");
  const test = useAdminMutation("testExchange");
  const [draft, setDraft] = useState(() => draftFrom(connection));
  const [testMailbox, setTestMailbox] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const stored = save.state.status === "done" ? save.state.data : connection;
  const set = (patch: Partial<ExchangeDraft>) => setDraft((previous) => ({ ...previous, ...patch }));

  const checked = () => {
    const result = validate(ExchangeConnectionInput, inputFrom(draft));
    setErrors(result.ok ? {} : result.errors);
    return result.ok ? result.data : undefined;
  };
  const runTest = () => {
    const input = checked();
    if (input !== undefined)
      test.run({ connection: input, mailbox: testMailbox.trim() === "" ? undefined : testMailbox });
  };
  const runSave = async () => {
    const input = checked();
    if (input === undefined) return;
    if ((await save.run(input)) !== undefined)
      set({ password: "", clientSecret: "", secretExpires: "", privateKeyPem: "" });
  };
  const text = (key: keyof ExchangeDraft) => ({
    value: draft[key],
    onChange: (_event: unknown, data: { value: string }) => set({ [key]: data.value }),
  });

  return (
    <Section title="2. Connect Exchange">
      <Field label="Where are the mailboxes?">
        <RadioGroup
          value={draft.kind}
          onChange={(_event, data) => set({ kind: data.value === "graph" ? "graph" : "ews" })}
        >
          <Radio value="ews" label="On-premises Exchange 2007 SP1 – 2019 (EWS)" />
          <Radio value="graph" label="Office 365 / Exchange Online (Microsoft Graph)" />
        </RadioGroup>
      </Field>
      {draft.kind === "ews" ? (
        <div className={layout.form}>
          <Field label="EWS endpoint">
            <RadioGroup
              value={draft.endpointMode}
              onChange={(_event, data) => set({ endpointMode: data.value === "url" ? "url" : "autodiscover" })}
            >
              <Radio value="autodiscover" label="Find it with Autodiscover" />
              <Radio value="url" label="Enter the EWS URL" />
            </RadioGroup>
          </Field>
          {draft.endpointMode === "url" ? (
            <Field
              label="EWS URL"
              required
              hint="https://mail.contoso.com/EWS/Exchange.asmx"
              {...fieldState(errors, "endpoint.ewsUrl")}
            >
              <Input {...text("ewsUrl")} />
            </Field>
          ) : (
            <Field
              label="Autodiscover URL"
              hint="Optional: your organisation's Autodiscover service URL. Empty: https://<domain>/ then autodiscover.<domain>."
              {...fieldState(errors, "endpoint.autodiscoverUrl")}
            >
              <Input {...text("autodiscoverUrl")} />
            </Field>
          )}
          <Field label="E-mail address" required {...fieldState(errors, "emailAddress")}>
            <Input type="email" {...text("emailAddress")} />
          </Field>
          <Field label="User name" hint="Defaults to the e-mail address." {...fieldState(errors, "username")}>
            <Input {...text("username")} />
          </Field>
          <Field
            label="Password"
            required={stored.kind !== "ews" || stored.password === "not-set"}
            hint={stored.kind === "ews" ? secretHint(stored.password) : undefined}
            {...fieldState(errors, "password")}
          >
            <Input type="password" {...text("password")} />
          </Field>
          <Field label="Domain" hint="NetBIOS domain, e.g. CONTOSO.">
            <Input {...text("domain")} />
          </Field>
          <Field label="Authentication">
            <RadioGroup
              layout="horizontal"
              value={draft.authScheme}
              onChange={(_event, data) => set({ authScheme: data.value === "ntlm" ? "ntlm" : "basic" })}
            >
              <Radio value="basic" label="Basic" />
              <Radio value="ntlm" label="NTLM" />
            </RadioGroup>
          </Field>
          <Field label="Exchange version">
            <Select value={draft.serverVersion} onChange={(_event, data) => set({ serverVersion: data.value })}>
              {EwsServerVersion.options.map((version) => (
                <option key={version} value={version}>
                  {version === "auto" ? "Detect automatically" : version.replace("_", " ")}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      ) : (
        <div className={layout.form}>
          <Field
            label="Tenant"
            required
            hint="Directory (tenant) id or contoso.onmicrosoft.com"
            {...fieldState(errors, "tenantId")}
          >
            <Input {...text("tenantId")} />
          </Field>
          <Field label="Application (client) id" required {...fieldState(errors, "clientId")}>
            <Input {...text("clientId")} />
          </Field>
          <Field label="Credential">
            <RadioGroup
              layout="horizontal"
              value={draft.credentialType}
              onChange={(_event, data) =>
                set({ credentialType: data.value === "certificate" ? "certificate" : "secret" })
              }
            >
              <Radio value="secret" label="Client secret" />
              <Radio value="certificate" label="Certificate" />
            </RadioGroup>
          </Field>
          {draft.credentialType === "secret" ? (
            <>
              <Field
                label="Client secret"
                hint={stored.kind === "graph" ? secretHint(stored.clientSecret) : undefined}
                {...fieldState(errors, "credential.clientSecret")}
              >
                <Input type="password" {...text("clientSecret")} />
              </Field>
              {draft.clientSecret === "" ? null : (
                <Field
                  label="Secret expires"
                  hint="The Expires date Entra shows beside the new secret; credential health warns 30 days before."
                  {...fieldState(errors, "credential.expiresAt")}
                >
                  <Input type="date" {...text("secretExpires")} />
                </Field>
              )}
            </>
          ) : (
            <>
              <Field label="Certificate (PEM)" {...fieldState(errors, "credential.certificatePem")}>
                <Textarea {...text("certificatePem")} resize="vertical" />
              </Field>
              <Field
                label="Private key (PEM)"
                hint={stored.kind === "graph" ? secretHint(stored.privateKey) : undefined}
                {...fieldState(errors, "credential.privateKeyPem")}
              >
                <Textarea {...text("privateKeyPem")} resize="vertical" />
              </Field>
            </>
          )}
        </div>
      )}
      <Field
        label="Test against mailbox"
        hint="A user's mailbox to impersonate (or open with app access). Empty: the first selected user's; with none, impersonation is not tested."
      >
        <Input type="email" value={testMailbox} onChange={(_event, data) => setTestMailbox(data.value)} />
      </Field>
      {test.state.status === "running" ? <Spinner size="tiny" label="Testing the connection…" /> : null}
      {test.state.status === "done" ? <ConnectionTestView result={test.state.data} /> : null}
      {test.state.status === "error" ? <ErrorBar error={test.state.error} /> : null}
      {save.state.status === "error" ? <ErrorBar error={save.state.error} /> : null}
      {save.state.status === "done" ? (
        <MessageBar layout="multiline" intent="success">
          <MessageBarBody>Exchange connection saved.</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={layout.actions}>
        <Button onClick={runTest} disabled={test.state.status === "running"}>
          Test connection
        </Button>
        <Button appearance="primary" onClick={runSave} disabled={save.state.status === "running"}>
          Save
        </Button>
        {stored.kind === "none" ? null : <Button onClick={onSaved}>Next</Button>}
      </div>
    </Section>
  );
}

function CredentialsStep({ onDone }: { onDone: () => void }) {
  const layout = useLayoutStyles();
  const mode = useAdminQuery("credentialMode", {});
  const migrate = useAdminMutation("migrateCredentialMode");
  const [chosen, setChosen] = useState<"impersonation" | "individual" | null>(null);

  return (
    <Section title="3. Impersonation or individual credentials">
      <QueryView query={mode} label="credential mode">
        {(current) => {
          const target = chosen ?? current.mode;
          const preview = migrate.state.status === "done" ? migrate.state.data : null;
          return (
            <>
              <RadioGroup
                value={target}
                onChange={(_event, data) => {
                  const next = data.value === "individual" ? "individual" : "impersonation";
                  setChosen(next);
                  migrate.clear();
                  if (next !== current.mode) migrate.run({ to: next, apply: false });
                }}
              >
                <Radio
                  value="impersonation"
                  label="One service account reaches every mailbox (impersonation / application access) — recommended"
                />
                <Radio value="individual" label="Each user's own Exchange password (on-premises only)" />
              </RadioGroup>
              {target === "impersonation" ? (
                <>
                  <Text>Grant the service account or app access to the mailboxes, then test the connection again.</Text>
                  <CopyBlock
                    label="On-premises Exchange Management Shell"
                    lines={current.permissionCommands.onPremises}
                  />
                  <CopyBlock
                    label="Exchange Online PowerShell (RBAC for Applications)"
                    lines={current.permissionCommands.office365}
                  />
                </>
              ) : (
                <Text>
                  Users enter their Exchange password in the Users page or the add-in. {current.usersMissingCredentials}{" "}
                  selected users have none yet and are not synced.
                </Text>
              )}
              {migrate.state.status === "running" ? <Spinner size="tiny" label="Checking what changes…" /> : null}
              {migrate.state.status === "error" ? <ErrorBar error={migrate.state.error} /> : null}
              {preview !== null && target !== current.mode ? (
                <MessageBar layout="multiline" intent={preview.applied ? "success" : "info"}>
                  <MessageBarBody>
                    <MessageBarTitle>
                      {preview.applied ? `Switched to ${preview.to}` : `Switching to ${preview.to}`}
                    </MessageBarTitle>
                    <ol>
                      {preview.steps.map((step) => (
                        <li key={step.title}>
                          {step.done ? "✓ " : ""}
                          {step.title}: {step.detail}
                        </li>
                      ))}
                    </ol>
                    <ul>
                      {preview.users.map((user) => (
                        <li key={user.zohoUserId}>
                          {user.mailbox}: {user.outcome} — {user.detail}
                        </li>
                      ))}
                    </ul>
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              <div className={layout.actions}>
                {preview !== null && !preview.applied && target !== current.mode ? (
                  <Button
                    appearance="primary"
                    onClick={async () => {
                      if ((await migrate.run({ to: target, apply: true })) !== undefined) mode.reload();
                    }}
                  >
                    Switch to {target}
                  </Button>
                ) : null}
                <Button appearance={target === current.mode ? "primary" : "secondary"} onClick={onDone}>
                  Next
                </Button>
              </div>
            </>
          );
        }}
      </QueryView>
    </Section>
  );
}

function AccessStep({ onFinished }: { onFinished: () => void }) {
  const layout = useLayoutStyles();
  const policy = useAdminQuery("accessPolicy", {});
  const profiles = useAdminQuery("zohoProfiles", {});
  const save = useAdminMutation("saveAccessPolicy");
  const [draft, setDraft] = useState<AccessPolicy | null>(null);

  return (
    <Section title="4. Who may use the bridge">
      <QueryView query={policy} label="access policy">
        {(stored) => {
          const current = draft ?? stored;
          return (
            <>
              <RadioGroup
                value={current.audience}
                onChange={(_event, data) => setDraft({ ...current, audience: data.value as AccessPolicy["audience"] })}
              >
                <Radio value="admins" label="Zoho CRM administrators only" />
                <Radio value="all-users" label="All Zoho CRM users" />
                <Radio value="profiles" label="Users with these profiles" />
              </RadioGroup>
              {current.audience === "profiles" ? (
                <QueryView
                  query={profiles}
                  label="profiles"
                  isEmpty={(data) => data.profiles.length === 0}
                  empty="Zoho CRM has no profiles to choose from."
                >
                  {(data) => (
                    <fieldset style={{ border: "none", padding: 0 }}>
                      <legend>Profiles</legend>
                      {data.profiles.map((profile) => (
                        <Checkbox
                          key={profile.id}
                          label={profile.name}
                          checked={current.profileIds.includes(profile.id)}
                          onChange={(_event, change) =>
                            setDraft({
                              ...current,
                              profileIds: change.checked
                                ? [...current.profileIds, profile.id]
                                : current.profileIds.filter((id) => id !== profile.id),
                            })
                          }
                        />
                      ))}
                    </fieldset>
                  )}
                </QueryView>
              ) : null}
              {save.state.status === "error" ? <ErrorBar error={save.state.error} /> : null}
              <div className={layout.actions}>
                <Button
                  appearance="primary"
                  disabled={save.state.status === "running"}
                  onClick={async () => {
                    if ((await save.run(current)) !== undefined) onFinished();
                  }}
                >
                  Save and continue to sync settings
                </Button>
              </div>
            </>
          );
        }}
      </QueryView>
    </Section>
  );
}

export function SetupWizard({ onFinished }: { onFinished: () => void }) {
  const styles = useStyles();
  const layout = useLayoutStyles();
  const status = useAdminQuery("setupStatus", {});
  const [step, setStep] = useState<WizardStep | null>(null);

  return (
    <div className={layout.stack}>
      <QueryView query={status} label="setup status">
        {(setup) => {
          const complete = new Map(setup.steps.map((entry) => [entry.step, entry.complete]));
          const firstOpen = wizardSteps.find((entry) => complete.get(entry.step) !== true)?.step ?? "access";
          const current = step ?? firstOpen;
          const goTo = (next: WizardStep) => {
            setStep(next);
            status.reload();
          };
          return (
            <>
              <nav aria-label="Setup steps">
                <ol className={styles.stepper}>
                  {wizardSteps.map((entry, index) => (
                    <li key={entry.step}>
                      <Button
                        appearance={entry.step === current ? "primary" : "subtle"}
                        aria-current={entry.step === current ? "step" : undefined}
                        icon={complete.get(entry.step) === true ? <CheckmarkCircleFilled /> : undefined}
                        onClick={() => setStep(entry.step)}
                      >
                        {index + 1}. {entry.title}
                      </Button>
                    </li>
                  ))}
                </ol>
              </nav>
              {current === "zoho" ? <ZohoStep connection={setup.zoho} onSaved={() => goTo("exchange")} /> : null}
              {current === "exchange" ? (
                <ExchangeStep connection={setup.exchange} onSaved={() => goTo("credentials")} />
              ) : null}
              {current === "credentials" ? <CredentialsStep onDone={() => goTo("access")} /> : null}
              {current === "access" ? <AccessStep onFinished={onFinished} /> : null}
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
