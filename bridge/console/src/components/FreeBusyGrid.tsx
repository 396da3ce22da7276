/**
 * Attendees' availability as a grid: one row per attendee, one column per slot from `start`. The proposed meeting's
 * slots are outlined; a column header picks that slot as the new start (keyboard: Tab to it, Enter).
 */
import { makeStyles, tokens } from "@fluentui/react-components";
import type { Availability, FreeBusy } from "../../../src/api/admin.js";
import { formatTime } from "../format.js";

const freeBusyLabel: Record<FreeBusy, string> = {
  free: "Free",
  tentative: "Tentative",
  busy: "Busy",
  oof: "Out of office",
  "working-elsewhere": "Working elsewhere",
  unknown: "No information",
};

const freeBusyColor: Record<FreeBusy, string> = {
  free: tokens.colorPaletteGreenBackground2,
  tentative: tokens.colorPaletteYellowBackground2,
  busy: tokens.colorPaletteRedBackground2,
  oof: tokens.colorPalettePurpleBackground2,
  "working-elsewhere": tokens.colorPaletteBlueBackground2,
  unknown: tokens.colorNeutralBackground4,
};

const useStyles = makeStyles({
  scroll: { overflowX: "auto", maxWidth: "100%" },
  table: { borderCollapse: "collapse", fontSize: tokens.fontSizeBase200 },
  name: { textAlign: "left", paddingRight: tokens.spacingHorizontalS, whiteSpace: "nowrap", fontWeight: "normal" },
  cell: { minWidth: "26px", height: "24px", border: `1px solid ${tokens.colorNeutralBackground1}` },
  proposed: { outline: `2px solid ${tokens.colorBrandStroke1}`, outlineOffset: "-2px" },
  pick: {
    writingMode: "vertical-rl",
    transform: "rotate(180deg)",
    padding: "2px",
    border: "none",
    background: "none",
    cursor: "pointer",
    fontSize: tokens.fontSizeBase100,
    color: tokens.colorNeutralForeground2,
  },
  legend: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, fontSize: tokens.fontSizeBase200 },
  swatch: { display: "inline-block", width: "10px", height: "10px", marginRight: "4px" },
});

export function slotStart(availability: Availability, index: number): Date {
  return new Date(Date.parse(availability.start) + index * availability.intervalMinutes * 60_000);
}

export function FreeBusyGrid({
  availability,
  proposed,
  onPick,
}: {
  availability: Availability;
  /** The meeting being scheduled, to outline its slots. */
  proposed: { start: Date; end: Date } | null;
  onPick: (slot: Date) => void;
}) {
  const styles = useStyles();
  const slotCount = Math.max(0, ...availability.schedules.map((schedule) => schedule.slots.length));
  const slots = Array.from({ length: slotCount }, (_, index) => slotStart(availability, index));
  const inProposal = (slot: Date) =>
    proposed !== null && slot.getTime() >= proposed.start.getTime() && slot.getTime() < proposed.end.getTime();
  return (
    <div>
      <div className={styles.scroll}>
        <table className={styles.table} aria-label="Attendee availability">
          <thead>
            <tr>
              <th className={styles.name} scope="col">
                Attendee
              </th>
              {slots.map((slot) => (
                <th key={slot.toISOString()} scope="col">
                  <button
                    type="button"
                    className={styles.pick}
                    onClick={() => onPick(slot)}
                    aria-label={`Start at ${formatTime(slot.toISOString())}`}
                  >
                    {formatTime(slot.toISOString())}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {availability.schedules.map((schedule) => (
              <tr key={schedule.email}>
                <th className={styles.name} scope="row">
                  {schedule.email}
                  {schedule.error === null ? null : ` — ${schedule.error}`}
                </th>
                {slots.map((slot, index) => {
                  const status = schedule.slots[index] ?? "unknown";
                  return (
                    <td
                      key={slot.toISOString()}
                      className={`${styles.cell} ${inProposal(slot) ? styles.proposed : ""}`}
                      style={{ backgroundColor: freeBusyColor[status] }}
                      title={`${schedule.email} ${formatTime(slot.toISOString())}: ${freeBusyLabel[status]}`}
                      aria-label={`${formatTime(slot.toISOString())} ${freeBusyLabel[status]}`}
                      data-status={status}
                    />
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={styles.legend}>
        {(Object.keys(freeBusyLabel) as FreeBusy[]).map((status) => (
          <span key={status}>
            <span className={styles.swatch} style={{ backgroundColor: freeBusyColor[status] }} />
            {freeBusyLabel[status]}
          </span>
        ))}
      </div>
    </div>
  );
}
