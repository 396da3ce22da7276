/**
 * The outcome of a connection test: every step with its own outcome (passed; failed and why; skipped and why), and
 * for a failure exactly what failed and what to do. Steps skipped without a failure (nothing to test them on, e.g.
 * no mailbox to impersonate) make the result a warning, not "Connection works".
 */
import { MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from "@fluentui/react-components";
import { CheckmarkCircleFilled, DismissCircleFilled, SubtractCircleRegular } from "@fluentui/react-icons";
import type { z } from "zod";
import type { ConnectionTestResult, ConnectionTestStep } from "../../../src/api/admin.js";

const stepLabel: Record<z.infer<typeof ConnectionTestStep>, string> = {
  dns: "Server name",
  tls: "TLS certificate",
  autodiscover: "Autodiscover",
  authentication: "Sign-in",
  permissions: "Permissions",
  impersonation: "Impersonation role",
  mailbox: "Mailbox",
  api: "API access",
};

const stepIcon = {
  passed: <CheckmarkCircleFilled color={tokens.colorPaletteGreenForeground1} aria-label="passed" />,
  failed: <DismissCircleFilled color={tokens.colorPaletteRedForeground1} aria-label="failed" />,
  skipped: <SubtractCircleRegular color={tokens.colorNeutralForeground3} aria-label="skipped" />,
};

type TestedStep = ConnectionTestResult["steps"][number];

/** What happened to one step, in words: "Passed", "Failed: <why>", "Skipped because <why>". */
export function stepOutcome(step: TestedStep): string {
  if (step.status === "passed") return "Passed";
  if (step.status === "failed") return `Failed: ${step.reason ?? "see above"}`;
  return `Skipped because ${step.reason ?? "it could not run"}`;
}

export function ConnectionTestView({ result }: { result: ConnectionTestResult }) {
  const untested = result.failure === null ? result.steps.filter((step) => step.status === "skipped") : [];
  return (
    <div aria-live="polite">
      {result.failure !== null ? (
        <MessageBar layout="multiline" intent="error" role="alert">
          <MessageBarBody>
            <MessageBarTitle>
              {stepLabel[result.failure.step]} failed ({result.failure.code})
            </MessageBarTitle>
            {result.failure.message} — {result.failure.hint}
          </MessageBarBody>
        </MessageBar>
      ) : untested.length > 0 ? (
        <MessageBar layout="multiline" intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Partly tested</MessageBarTitle>
            Every check that ran passed; not tested: {untested.map((step) => stepLabel[step.step]).join(", ")}.
          </MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar layout="multiline" intent="success">
          <MessageBarBody>
            <MessageBarTitle>Connection works</MessageBarTitle>
            Every check passed.
          </MessageBarBody>
        </MessageBar>
      )}
      <ul aria-label="Connection test steps" style={{ listStyle: "none", paddingLeft: 0 }}>
        {result.steps.map((step) => (
          <li key={step.step} data-step={step.step} style={{ display: "flex", flexWrap: "wrap", columnGap: 8 }}>
            {stepIcon[step.status]}
            <Text weight="semibold">{stepLabel[step.step]}</Text>
            <Text>{step.detail}</Text>
            <Text data-outcome={step.status}>— {stepOutcome(step)}</Text>
          </li>
        ))}
      </ul>
    </div>
  );
}
