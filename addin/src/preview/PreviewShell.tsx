import { Button, Caption1, makeStyles, Select, Subtitle2, Text, tokens } from "@fluentui/react-components";
import type { AddinResponse, PreviewItem } from "../../../bridge/src/api/addin.js";

const useStyles = makeStyles({
  column: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
  },
  item: { justifyContent: "flex-start", textAlign: "left", width: "100%" },
});

export type PreviewMailboxes = AddinResponse<"sandboxItems">["mailboxes"];

/** The left side of the preview: which simulated mailbox and item the stub Outlook shows. */
export function PreviewShell({
  mailboxes,
  mailbox,
  items,
  selected,
  onMailbox,
  onItem,
}: {
  mailboxes: PreviewMailboxes;
  mailbox: string;
  items: PreviewItem[];
  selected: string | null;
  onMailbox: (address: string) => void;
  onItem: (item: PreviewItem) => void;
}) {
  const styles = useStyles();
  return (
    <nav className={styles.column} aria-label="Simulated mailbox">
      <Subtitle2 as="h1">Add-in preview (sandbox)</Subtitle2>
      <Caption1>Outlook is simulated here; the CRM and mailboxes are the bridge's simulators.</Caption1>
      <Select aria-label="Mailbox" value={mailbox} onChange={(_, data) => onMailbox(data.value)}>
        {mailboxes.map((m) => (
          <option key={m.address} value={m.address}>
            {m.displayName} &lt;{m.address}&gt; ({m.server === "office365" ? "Office 365" : "Exchange on-prem"})
          </option>
        ))}
      </Select>
      {items.length === 0 && <Text>No items in this mailbox.</Text>}
      {items.map((item) => (
        <Button
          key={item.ewsItemId}
          className={styles.item}
          appearance={item.ewsItemId === selected ? "primary" : "subtle"}
          aria-pressed={item.ewsItemId === selected}
          onClick={() => onItem(item)}
        >
          {item.itemType === "appointment" ? "Meeting: " : "Mail: "}
          {item.subject || "(no subject)"} — {item.from?.name ?? item.from?.email ?? ""}
        </Button>
      ))}
    </nav>
  );
}
