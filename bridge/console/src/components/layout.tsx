/** Page section and form layout shared by every page; one column when the Web Tab is narrow. */
import { makeStyles, Subtitle1, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

export const useLayoutStyles = makeStyles({
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    minWidth: 0,
  },
  form: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
    // A select is as wide as its longest option; without this it overflows its column into the next field.
    "& > *": { minWidth: 0 },
    "& .fui-Select": { minWidth: 0 },
  },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  columns: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(340px, 1fr))",
    gap: tokens.spacingHorizontalL,
    alignItems: "start",
  },
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  tableScroll: { overflowX: "auto", maxWidth: "100%" },
  /** Columns a narrow Web Tab can live without. */
  wideOnly: { "@media (max-width: 640px)": { display: "none" } },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    whiteSpace: "pre-wrap",
    wordBreak: "break-all",
    margin: 0,
  },
});

export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const styles = useLayoutStyles();
  const headingId = `section-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.actions} style={{ justifyContent: "space-between" }}>
        <Subtitle1 as="h2" id={headingId} style={{ margin: 0 }}>
          {title}
        </Subtitle1>
        {actions}
      </div>
      {children}
    </section>
  );
}
