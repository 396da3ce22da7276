/** Creates / updates / deletes / conflicts per module and direction: the dry-run preview and the dashboard totals. */
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import type { z } from "zod";
import type { ChangeCounts, FlowDirection, SyncModule } from "../../../src/api/admin.js";
import { flowLabel, moduleLabel } from "../format.js";
import { useLayoutStyles } from "./layout.js";

export interface CountsRow {
  module: SyncModule;
  direction: FlowDirection;
  counts: z.infer<typeof ChangeCounts>;
}

export function CountsTable({
  rows,
  label,
  verbs,
}: {
  rows: CountsRow[];
  label: string;
  verbs: [string, string, string];
}) {
  const layout = useLayoutStyles();
  return (
    <div className={layout.tableScroll}>
      <Table size="small" aria-label={label}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Module</TableHeaderCell>
            <TableHeaderCell>Direction</TableHeaderCell>
            {verbs.map((verb) => (
              <TableHeaderCell key={verb}>{verb}</TableHeaderCell>
            ))}
            <TableHeaderCell>Conflicts</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={`${row.module}-${row.direction}`} data-row={`${row.module}:${row.direction}`}>
              <TableCell>{moduleLabel[row.module]}</TableCell>
              <TableCell>{flowLabel[row.direction]}</TableCell>
              <TableCell data-count="creates">{row.counts.creates}</TableCell>
              <TableCell data-count="updates">{row.counts.updates}</TableCell>
              <TableCell data-count="deletes">{row.counts.deletes}</TableCell>
              <TableCell data-count="conflicts">{row.counts.conflicts}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
