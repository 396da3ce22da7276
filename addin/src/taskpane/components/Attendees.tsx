import { Button, Caption1, Input, makeStyles, Text, tokens } from "@fluentui/react-components";
import { useState } from "react";
import type { PersonSummary, Schedule, TaskPaneActions } from "../types.js";
import { ErrorBar } from "./Loadable.js";
import { useAction } from "./useAction.js";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  bar: { display: "flex", height: "8px", borderRadius: "2px", overflow: "hidden", minWidth: "80px" },
});

/** Graph availabilityView digits: 0 free, 1 tentative, 2 busy, 3 out of office, 4 working elsewhere. */
const SLOT_COLOURS: Record<string, string> = {
  "0": tokens.colorPaletteGreenBackground2,
  "1": tokens.colorPaletteYellowBackground2,
  "2": tokens.colorPaletteRedBackground2,
  "3": tokens.colorPalettePurpleBackground2,
  "4": tokens.colorPaletteBlueBackground2,
};
const SLOT_NAMES: Record<string, string> = {
  "0": "free",
  "1": "tentative",
  "2": "busy",
  "3": "away",
  "4": "elsewhere",
};

export function summariseAvailability(view: string): string {
  if (view === "") return "unknown";
  const worst = [...view].reduce((a, b) => (b === "0" ? a : b > a ? b : a), "0");
  return worst === "0" ? "free" : `${SLOT_NAMES[worst] ?? "unknown"} at times`;
}

function AvailabilityBar({ schedule }: { schedule: Schedule }) {
  const styles = useStyles();
  if (schedule.error) return <Caption1>availability unknown ({schedule.error.message})</Caption1>;
  return (
    <span role="img" aria-label={`${schedule.email} is ${summariseAvailability(schedule.availabilityView)}`}>
      <span className={styles.bar}>
        {[...schedule.availabilityView].map((slot, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: slots are positional time intervals
          <span key={i} style={{ flex: 1, background: SLOT_COLOURS[slot] ?? tokens.colorNeutralBackground3 }} />
        ))}
      </span>
    </span>
  );
}

/** In a meeting being organised: attendees' free/busy, and CRM people to add as attendees. */
export function Attendees({
  schedules,
  onSearch,
  onAdd,
}: {
  schedules: Schedule[];
  onSearch: TaskPaneActions["searchPeople"];
  onAdd: TaskPaneActions["addAttendees"];
}) {
  const styles = useStyles();
  const [query, setQuery] = useState("");
  const search = useAction(onSearch);
  const add = useAction(onAdd);
  return (
    <section className={styles.column} aria-label="Attendees">
      {schedules.map((schedule) => (
        <div key={schedule.email} className={styles.row}>
          <Text size={200}>{schedule.email}</Text>
          <AvailabilityBar schedule={schedule} />
        </div>
      ))}
      <div className={styles.row}>
        <Input
          placeholder="Find CRM contacts or leads"
          value={query}
          onChange={(_, data) => setQuery(data.value)}
          aria-label="Find CRM contacts or leads"
        />
        <Button disabled={query.trim().length < 2 || search.busy} onClick={() => search.run(query.trim())}>
          Search
        </Button>
      </div>
      {search.result?.map((person: PersonSummary) => (
        <div key={`${person.module}-${person.id}`} className={styles.row}>
          <Text size={200}>
            {person.name} &lt;{person.email}&gt;
          </Text>
          <Button
            size="small"
            disabled={add.busy}
            onClick={() => add.run([{ email: person.email, name: person.name }])}
          >
            Add
          </Button>
        </div>
      ))}
      <ErrorBar message={search.error ?? add.error} />
    </section>
  );
}
