/**
 * Synced items and errors over time as a small SVG bar chart (two bars per bucket, one shared y scale).
 * Screen readers get the totals in the aria-label and each bar's numbers in its <title>.
 */
import { makeStyles, tokens } from "@fluentui/react-components";
import { formatDateTime } from "../format.js";

export interface ChartBucket {
  at: string;
  synced: number;
  errors: number;
}

const WIDTH = 640;
const HEIGHT = 180;
const AXIS = 28;

const useStyles = makeStyles({
  chart: { width: "100%", height: "auto", maxHeight: "220px" },
  legend: { display: "flex", gap: tokens.spacingHorizontalL, fontSize: tokens.fontSizeBase200 },
  swatch: { display: "inline-block", width: "10px", height: "10px", marginRight: "4px", borderRadius: "2px" },
});

export function SyncChart({ buckets }: { buckets: ChartBucket[] }) {
  const styles = useStyles();
  const peak = Math.max(1, ...buckets.map((bucket) => Math.max(bucket.synced, bucket.errors)));
  const slot = (WIDTH - AXIS) / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot / 2 - 1);
  const scale = (value: number) => ((HEIGHT - AXIS) * value) / peak;
  const totalSynced = buckets.reduce((sum, bucket) => sum + bucket.synced, 0);
  const totalErrors = buckets.reduce((sum, bucket) => sum + bucket.errors, 0);
  const first = buckets[0];
  const last = buckets.at(-1);
  return (
    <figure style={{ margin: 0 }}>
      <svg
        className={styles.chart}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Synced items and errors over time: ${totalSynced} synced, ${totalErrors} errors`}
      >
        <line x1={AXIS} y1={HEIGHT - AXIS} x2={WIDTH} y2={HEIGHT - AXIS} stroke={tokens.colorNeutralStroke1} />
        <text x={AXIS - 4} y={12} textAnchor="end" fontSize="11" fill={tokens.colorNeutralForeground3}>
          {peak}
        </text>
        <text x={AXIS - 4} y={HEIGHT - AXIS} textAnchor="end" fontSize="11" fill={tokens.colorNeutralForeground3}>
          0
        </text>
        {buckets.map((bucket, index) => {
          const x = AXIS + index * slot;
          return (
            <g key={bucket.at}>
              <title>{`${formatDateTime(bucket.at)}: ${bucket.synced} synced, ${bucket.errors} errors`}</title>
              <rect
                x={x}
                y={HEIGHT - AXIS - scale(bucket.synced)}
                width={barWidth}
                height={scale(bucket.synced)}
                fill={tokens.colorBrandBackground}
              />
              <rect
                x={x + barWidth}
                y={HEIGHT - AXIS - scale(bucket.errors)}
                width={barWidth}
                height={scale(bucket.errors)}
                fill={tokens.colorPaletteRedBackground3}
              />
            </g>
          );
        })}
        {first === undefined || last === undefined ? null : (
          <>
            <text x={AXIS} y={HEIGHT - 8} fontSize="11" fill={tokens.colorNeutralForeground3}>
              {formatDateTime(first.at)}
            </text>
            <text x={WIDTH} y={HEIGHT - 8} textAnchor="end" fontSize="11" fill={tokens.colorNeutralForeground3}>
              {formatDateTime(last.at)}
            </text>
          </>
        )}
      </svg>
      <figcaption className={styles.legend}>
        <span>
          <span className={styles.swatch} style={{ backgroundColor: tokens.colorBrandBackground }} />
          Synced items ({totalSynced})
        </span>
        <span>
          <span className={styles.swatch} style={{ backgroundColor: tokens.colorPaletteRedBackground3 }} />
          Errors ({totalErrors})
        </span>
      </figcaption>
    </figure>
  );
}
