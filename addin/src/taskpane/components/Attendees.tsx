import { Button, Caption1, Input, makeStyles, Text, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { type Messages, useI18n } from "../../i18n/index.js";
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
export function summariseAvailability(view: string, t: Messages): string {
  const { slots, unknown, atTimes } = t.attendees;
  if (view === "") return unknown;
  const worst = [...view].reduce((a, b) => (b === "0" ? a : b > a ? b : a), "0");
  return worst === "0" ? (slots["0"] ?? unknown) : atTimes(slots[worst] ?? unknown);
}

function AvailabilityBar({ schedule }: { schedule: Schedule }) {
  const styles = useStyles();
  const { t } = useI18n();
  if (schedule.error) return <Caption1>{t.attendees.unknownBecause(schedule.error.message)}</Caption1>;
  return (
    <span
      role="img"
      aria-label={t.attendees.isState(schedule.email, summariseAvailability(schedule.availabilityView, t))}
    >
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
  const { t } = useI18n();
  const [query, setQuery] = useState("");
  const search = useAction(onSearch);
  const add = useAction(onAdd);
  return (
    <section className={styles.column} aria-label={t.attendees.heading}>
      {schedules.map((schedule) => (
        <div key={schedule.email} className={styles.row}>
          <Text size={200}>{schedule.email}</Text>
          <AvailabilityBar schedule={schedule} />
        </div>
      ))}
      <div className={styles.row}>
        <Input
          placeholder={t.attendees.find}
          value={query}
          onChange={(_, data) => setQuery(data.value)}
          aria-label={t.attendees.find}
        />
        <Button disabled={query.trim().length < 2 || search.busy} onClick={() => search.run(query.trim())}>
          {t.attendees.search}
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
            {t.attendees.add}
          </Button>
        </div>
      ))}
      <ErrorBar message={search.error ?? add.error} />
    </section>
  );
}
