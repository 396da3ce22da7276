/** The outcome of a connection test: every step, and for a failure exactly what failed and what to do. */
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

export function ConnectionTestView({ result }: { result: ConnectionTestResult }) {
  return (
    <div aria-live="polite">
      {result.failure === null ? (
        <MessageBar intent="success">
          <MessageBarBody>
            <MessageBarTitle>Connection works</MessageBarTitle>
            Every check passed.
          </MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            <MessageBarTitle>
              {stepLabel[result.failure.step]} failed ({result.failure.code})
            </MessageBarTitle>
            {result.failure.message} — {result.failure.hint}
          </MessageBarBody>
        </MessageBar>
      )}
      <ul style={{ listStyle: "none", paddingLeft: 0 }}>
        {result.steps.map((step) => (
          <li key={step.step} style={{ display: "flex", gap: 8, alignItems: "center" }}>
            {stepIcon[step.status]}
            <Text weight="semibold">{stepLabel[step.step]}</Text>
            <Text>{step.detail}</Text>
          </li>
        ))}
      </ul>
    </div>
  );
}
