/** A command to copy into PowerShell, with a copy button that says whether it worked. */
import { Button } from "@fluentui/react-components";
import { CopyRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useLayoutStyles } from "./layout.js";

export function CopyBlock({ label, lines }: { label: string; lines: string[] }) {
  const styles = useLayoutStyles();
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const text = lines.join("\n");
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied("copied"),
      () => setCopied("failed"),
    );
  };
  return (
    <div>
      <div className={styles.actions} style={{ justifyContent: "space-between" }}>
        <strong>{label}</strong>
        <Button icon={<CopyRegular />} size="small" onClick={copy} aria-label={`Copy ${label}`}>
          {copied === "copied" ? "Copied" : copied === "failed" ? "Select and copy" : "Copy"}
        </Button>
      </div>
      <pre className={styles.code}>{text}</pre>
    </div>
  );
}
