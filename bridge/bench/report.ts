/**
 * Renders benchmark results as a plain-text table (stdout) and as bridge/bench/RESULTS.md, each figure next to its
 * issue-10 target with the gap stated. Targets are goals, never assertions.
 */

import type { ClusterFigures } from "./cluster.js";
import type { ServiceBound } from "./lower-bound.js";
import type { BenchModule } from "./protocol.js";

export interface Percentiles {
  samples: number;
  missed: number;
  p50Ms: number;
  p99Ms: number;
}

export interface InitialSyncFigures {
  backend: "graph" | "ews";
  latencyMs: number;
  modules: BenchModule[];
  recordsPerModule: Partial<Record<BenchModule, number>>;
  /** E-mail × CRM person associations made (one Zoho call each). */
  associations: number;
  records: number;
  wallMs: number;
  /** CPU of the simulator process during the run: when close to the wall time, the simulators set the pace. */
  simulatorCpuMs: number;
  moduleWallMs: Partial<Record<BenchModule, number>>;
  cpuMsPerItem: number;
  peakRssMb: number;
  startupRssMb: number;
  calls: { exchange: number; zoho: number };
  callsPer1000: { exchange: number; zoho: number };
  lowerBound: { exchange: ServiceBound; zoho: ServiceBound; boundMs: number };
  wallOverLowerBound: number;
  problems: string[];
  endpoints: { exchange: Record<string, number>; zoho: Record<string, number> };
  idle: {
    /** The first cycle after the initial sync, which reads back what that sync wrote (absent in older saved runs). */
    firstCycle?: { calls: { exchange: number; zoho: number }; endpoints: Record<string, Record<string, number>> };
    endpoints?: Record<string, Record<string, number>>;
    calls: { exchange: number; zoho: number };
    writes: number;
    perMailboxHour: number;
    cyclesPerHour: number;
  };
}

/** Simulated idle hours of the real server (push on): jobs its polling ticks enqueued, calls per endpoint. */
export interface IdleHour {
  hours: number;
  jobs: number;
  graph: Record<string, number>;
  zoho: Record<string, number>;
}

export interface MemoryFigures {
  contacts: number;
  latencyMs: number;
  wallMs: number;
  simulatorCpuMs: number;
  cpuMsPerItem: number;
  peakRssMb: number;
  startupRssMb: number;
  problems: string[];
}

export interface BenchResults {
  command: string;
  machine: { nproc: number; cpu: string; memoryGb: number; node: string; loadAverageAtEnd: number[] };
  scale: number;
  counts: Record<string, number>;
  durationSeconds: number;
  initialSync: InitialSyncFigures[];
  /** Through the push channel (Graph subscription, Zoho watch), contacts; then an idle hour of the real server. */
  propagation?: { exchangeToCrm: Percentiles; crmToExchange: Percentiles; idleHour: IdleHour };
  memory: MemoryFigures[];
  /** 1 vs 2 `bridge worker` processes on PostgreSQL (bridge/bench/cluster.ts); absent with --cluster-scale 0. */
  cluster?: ClusterFigures;
}

interface Row {
  figure: string;
  value: string;
  target: string;
  verdict: string;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const meets = (ok: boolean) => (ok ? "meets" : "MISSES");
const backendName = (backend: "graph" | "ews") => (backend === "graph" ? "Graph" : "EWS 2016");

function rows(results: BenchResults): Row[] {
  const out: Row[] = [];
  for (const run of results.initialSync) {
    const name = backendName(run.backend);
    const lb = run.lowerBound;
    out.push(
      {
        figure: `${name} initial sync: ${run.records} records (${run.modules.join(", ")}), latency ${run.latencyMs} ms`,
        value: `wall ${fixed(run.wallMs / 1000, 2)} s (simulators' CPU ${fixed(run.simulatorCpuMs / 1000, 1)} s); lower bound ${fixed(lb.boundMs / 1000, 2)} s; ratio ${fixed(run.wallOverLowerBound, 2)}×`,
        target: "≤ 1.25× lower bound",
        verdict: meets(run.wallOverLowerBound <= 1.25),
      },
      {
        figure: `${name} initial sync: records per module`,
        value: `${Object.entries(run.recordsPerModule)
          .map(([module, count]) => `${module} ${count}`)
          .join(", ")}; e-mail associations made ${run.associations}`,
        target: "",
        verdict: "",
      },
      {
        figure: `${name} initial sync: calls (exchange / Zoho)`,
        value: `${run.calls.exchange} / ${run.calls.zoho}; min allowed ${lb.exchange.minCalls} / ${lb.zoho.minCalls}`,
        target: "",
        verdict: "",
      },
      {
        figure: `${name} initial sync: calls per 1 000 records (exchange / Zoho)`,
        value: `${fixed(run.callsPer1000.exchange)} / ${fixed(run.callsPer1000.zoho)}`,
        target: "Zoho ≤ 12",
        verdict: meets(run.callsPer1000.zoho <= 12),
      },
      {
        figure: `${name} initial sync: bridge CPU per item, peak RSS`,
        value: `${fixed(run.cpuMsPerItem, 3)} ms; ${fixed(run.peakRssMb, 0)} MB (${fixed(run.startupRssMb, 0)} MB before syncing)`,
        target: "≤ 0.3 ms",
        verdict: meets(run.cpuMsPerItem <= 0.3),
      },
      {
        figure: `${name} idle sync cycle, engine alone, all four modules: calls (exchange / Zoho), writes`,
        value: `${run.idle.calls.exchange} / ${run.idle.calls.zoho}, ${run.idle.writes} writes → ${run.idle.perMailboxHour} calls per mailbox-hour at ${run.idle.cyclesPerHour} cycles/h${run.idle.firstCycle ? ` (first cycle after the initial sync: ${run.idle.firstCycle.calls.exchange} / ${run.idle.firstCycle.calls.zoho})` : ""}`,
        target: "≤ 12 per mailbox-hour",
        verdict: meets(run.idle.perMailboxHour <= 12),
      },
    );
    for (const problem of run.problems)
      out.push({ figure: `${name} PROBLEM`, value: problem, target: "", verdict: "" });
  }
  if (results.propagation) {
    for (const [direction, figures] of [
      ["Exchange → CRM", results.propagation.exchangeToCrm],
      ["CRM → Exchange", results.propagation.crmToExchange],
    ] as const) {
      out.push({
        figure: `Graph propagation ${direction}, push only (${figures.samples} samples, ${figures.missed} missed)`,
        value: `p50 ${fixed(figures.p50Ms, 0)} ms, p99 ${fixed(figures.p99Ms, 0)} ms`,
        target: "p99 ≤ 3 s",
        verdict: meets(figures.missed === 0 && figures.p99Ms <= 3000),
      });
    }
  }
  if (results.propagation) {
    const { idleHour } = results.propagation;
    const graphCalls = Object.values(idleHour.graph).reduce((total, calls) => total + calls, 0);
    const zohoCalls = Object.values(idleHour.zoho).reduce((total, calls) => total + calls, 0);
    out.push({
      figure: `Graph idle mailbox, real server with push (contacts, events, tasks; ${idleHour.hours} h of polling ticks)`,
      value: `${fixed((graphCalls + zohoCalls) / idleHour.hours, 1)} calls per hour (Graph ${graphCalls}, Zoho ${zohoCalls} in ${idleHour.hours} h, ${idleHour.jobs} polling jobs)`,
      target: "≤ 12 per mailbox-hour",
      verdict: meets((graphCalls + zohoCalls) / idleHour.hours <= 12),
    });
  }
  const [small, big] = results.memory;
  for (const run of results.memory) {
    out.push({
      figure: `engine + SQLite store alone, ${run.contacts} contacts (synthetic ports): wall, CPU per item, peak RSS`,
      value: `${fixed(run.wallMs / 1000, 2)} s, ${fixed(run.cpuMsPerItem, 3)} ms, ${fixed(run.peakRssMb, 0)} MB (${fixed(run.startupRssMb, 0)} MB before syncing)`,
      target: "≤ 0.3 ms; ≤ 250 MB",
      verdict: meets(run.cpuMsPerItem <= 0.3 && run.peakRssMb <= 250),
    });
    for (const problem of run.problems)
      out.push({ figure: "memory run PROBLEM", value: problem, target: "", verdict: "" });
  }
  if (small && big) {
    const growth = big.peakRssMb / small.peakRssMb;
    out.push({
      figure: `peak RSS growth ${small.contacts} → ${big.contacts} contacts`,
      value: `${fixed(growth, 2)}×`,
      target: "flat (≈ 1×)",
      verdict: meets(growth <= 1.2),
    });
  }
  out.push(...clusterRows(results.cluster));
  return out;
}

function clusterRows(cluster: ClusterFigures | undefined): Row[] {
  if (!cluster)
    return [
      {
        figure: "cluster: mailboxes × 500 items, 1 vs 2 bridge workers",
        value: "not measured (--cluster-scale 0)",
        target: "≥ 1.7×",
        verdict: "NOT MEASURED",
      },
    ];
  const size = `${cluster.mailboxes} mailboxes × ${cluster.itemsPerMailbox} items`;
  const out: Row[] = cluster.passes.map((pass) => ({
    figure: `cluster: ${size}, ${pass.workers} bridge worker(s) × ${pass.concurrencyPerWorker} jobs, latency ${cluster.latencyMs} ms`,
    value: `wall ${fixed(pass.wallMs / 1000, 1)} s, ${fixed(pass.itemsPerSecond, 0)} items/s (simulators' CPU ${fixed(pass.simulatorCpuMs / 1000, 1)} s; calls Graph ${pass.calls.graph} / Zoho ${pass.calls.zoho}; jobs per worker ${pass.jobsPerWorker.join(" / ")})`,
    target: "",
    verdict: "",
  }));
  const converged = cluster.passes.every((pass) => pass.problems.length === 0);
  out.push({
    figure: `cluster: ${size}, throughput 2 workers ÷ 1 worker${cluster.mailboxes === 200 ? "" : " (SCALED DOWN from 200 mailboxes)"}`,
    value: `${fixed(cluster.throughputRatio, 2)}×${converged ? ", every mailbox converged" : ", NOT every mailbox converged (PROBLEM rows)"}`,
    target: "≥ 1.7×",
    verdict: meets(converged && cluster.throughputRatio >= 1.7),
  });
  for (const pass of cluster.passes)
    for (const problem of pass.problems)
      out.push({ figure: `cluster, ${pass.workers} worker(s) PROBLEM`, value: problem, target: "", verdict: "" });
  return out;
}

function table(all: Row[]): string {
  const headers: Row = { figure: "figure", value: "value", target: "target", verdict: "verdict" };
  const keys = ["figure", "value", "target", "verdict"] as const;
  const widths = keys.map((key) => Math.max(...[headers, ...all].map((row) => row[key].length)));
  const line = (row: Row) => keys.map((key, i) => row[key].padEnd(widths[i] ?? 0)).join(" | ");
  return [line(headers), widths.map((width) => "-".repeat(width)).join("-|-"), ...all.map(line)].join("\n");
}

/** Why the committed run is scaled down, when it is (25 Nov, shared machine). */
const SCALED_DOWN_NOTE = `- Scale of the committed run: on 25 Nov the shared 2-CPU machine ran at a load average of 15–19 (seven engineers'
  test runs). A full-scale run (the default, scale 1) was started and stopped after 12 minutes still in the Graph
  initial sync: its two processes had received 95 s of CPU between them in that time. The run below is therefore at
  scale 0.25 (the memory rows still go to 100k); CPU per item, calls per 1 000 records and RSS are meaningful at this
  scale, the wall times and ratios to the lower bound are dominated by waiting for a CPU. \`npm run bench\` on an idle
  machine is the figure to trust for "< 10 minutes".
`;

const notes = (scale: number) => `## How the figures are made

- This process hosts the simulators (Graph, EWS 2016 with schema validation off, Zoho); the bridge — the real
  \`runSync\` engine and \`runMailSync\` e-mail association, the real Graph/EWS/Zoho connectors and the SQLite status
  store — runs in a separate child process (\`bridge/bench/engine-child.ts\`), so CPU (\`process.cpuUsage\`) and
  peak RSS (\`process.resourceUsage().maxRSS\`) are the bridge's alone. Call counts are the simulators' own counters
  (every HTTP request, OAuth/token calls included). The machine is shared: with a load average far above the 2 CPUs,
  every wall time here is inflated by waiting for a CPU (compare the CPU figures, which are not).
- Initial sync: the mailbox is seeded (straight into the simulator store), the CRM is empty, two-way sync, the four
  modules (contacts, events, tasks, e-mails) run concurrently as the per mailbox+module jobs of the service would.
  Simulator latency is added to every call; the services' real limits are in force (Graph 4 concurrent per
  app+mailbox and 10 000 per 10 min, Zoho enterprise concurrency 20 / heavy 10), except Zoho's daily credits,
  lifted so a 100k run fits in one "day". Graph seed: 10 % of the events are weekly series; EWS seed: every second
  meeting is a weekly series (the EWS seed's own mix). E-mails: the seeded messages are from colleagues (Graph) or
  from \`customerN@example.org\` (EWS); neither address belongs to a CRM person, so 0 associations are made and the
  e-mail figure covers reading and mapping the 20k messages (the records figure is the e-mail run's own count of
  messages read; before 6 Dec it printed the seed count, and the EWS simulator's undated seed mail was dropped by the
  mapping unseen), looking their addresses up, and the CRM → Sent Items direction. The association path (one Zoho
  call per message × person) is not in these figures.
- **Lower bound** per service = max(minCalls × latency ÷ concurrency, longestChain × latency), where minCalls is
  computed from the run's own synced record counts: Graph Σ⌈n/1000⌉ delta pages (maxpagesize 1 000, 4 concurrent,
  pages of one module chained by nextLink); EWS Σ⌈n/512⌉ SyncFolderItems (27 concurrent, chained by sync state);
  Zoho Σ(⌈n/100⌉ inserts + 1 listing) plus one call per e-mail association (associate_email takes one e-mail) at the
  heavy-call concurrency 10. The run's bound is the largest service bound (services can be called at the same time).
- Idle calls per mailbox-hour, two figures: (1) the engine alone, a sync cycle of all four modules that finds
  nothing × an assumed 4 cycles per hour (flag \`--idle-cycles-per-hour\`) — what plain polling would cost; it is the
  second cycle after the initial sync, the first (shown beside it) also reads back what the initial sync wrote; (2) the
  real server with push channels open (push-child.ts, after the propagation samples): its polling timer ticked at
  the settings' interval through a simulated day (\`pollDue\`, which polls push-covered modules only once per safety
  interval), every Graph and Zoho call counted and divided by 24 — the product's figure. Push-channel renewals run on
  their own timer and are not in it.
- Propagation (\`bridge/bench/push-child.ts\`): the real bridge server over TLS with its Graph subscription and Zoho
  watch channel, one mailbox and one Zoho user (the push tests' set-up), simulators with the same per-call latency;
  polling is out of reach (15-minute schedule), so an edit arrives only through simulator webhook → bridge route →
  job → sync run → write. The clock starts before the edit is made as the user in one simulator and stops when the
  other simulator's store shows it (polled every 5 ms). Contacts, Graph only; an empty-ish mailbox (one contact), so
  the figure is the push path's latency, not a big mailbox's sync time.
- CPU per item and peak RSS at 10k and 100k contacts: the real engine, contact module and SQLite status store
  between synthetic ports (\`bridge/bench/synthetic.ts\`: a mailbox that generates its contacts page by page and a
  CRM that forgets what it is sent), no simulators, no HTTP. It isolates the engine's and store's growth with the
  mailbox size; the connectors' share at 10k is in the initial-sync rows (real connectors, real HTTP).
- Cluster run (\`bridge/bench/cluster.ts\`, the set-up of \`bridge/test/jobs/pg-boss-workers.test.ts\`): the local
  PostgreSQL, a fresh schema per pass (dropped after); this process is the API side (the real server with
  \`BRIDGE_SERVER_WORKS_JOBS=0\`, which enqueues every mailbox's initial sync) and hosts fresh Graph and Zoho
  simulators per pass with the same per-call latency; the jobs are worked by real \`bridge worker\` processes
  (\`bridge/bin/bridge.mjs worker\`, the product default of 2 jobs at once each, job polling 0.5 s): one in the first
  pass, two in the second. Contacts only; each mailbox's 500 items are 250 Outlook contacts seeded in its mailbox
  and 250 Zoho contacts owned by its Zoho user, every e-mail address unique in the org (Zoho refuses a contact whose
  e-mail another contact of the org already has — DUPLICATE_DATA, whoever owns it — so the Graph seed's random
  names, which repeat across mailboxes, would leave some mailboxes short for that reason alone). Wall: from the
  enqueue to the last sync run's finish time (workers already started); items/s = mailboxes × 500 ÷ wall.
  Convergence is checked, not assumed: exactly one completed run per mailbox, 500 distinct contacts in each
  mailbox, 500 distinct contacts owned by each mailbox's Zoho user, nothing else in Zoho; item failures recorded by
  the runs are PROBLEM rows.
- The cluster run is at the issue's full scale by default (\`--cluster-scale 1\`: 200 mailboxes × 500 items). With the
  owner filter on, a mailbox's CRM port lists only its Zoho user's records on Zoho's side (COQL \`Owner = …\` for the
  ids, then \`GET ?ids=\`; \`ZohoRecordPort.ownedOnly\`), so a run's Zoho calls no longer grow with the org: 14 per
  mailbox at 20, 60 and 200 mailboxes (before: 40 at 20, 96 at 50, the whole run growing with mailboxes², ≈ 25
  minutes a pass projected at 200). On 6 Dec the whole \`npm run bench\` with it took 484 s at load 3–4 (cluster 1
  worker 200 s wall, 2 workers 125 s, 1.61×); the cluster alone (\`node --import tsx bridge/bench/cluster.ts\`) at
  load 6–14 took 297 s and 191 s (1.56×), about 9.5 minutes with both passes' set-up — on a loaded machine pass a
  smaller \`--cluster-scale\`. With two workers on this 2-CPU machine the workers, the simulators and PostgreSQL share
  the same 2 CPUs, so the ratio is a floor of what two hosts would give (at 60 mailboxes and load 3: 1.98×).
  Transport failures ("Graph request failed: fetch failed ← other side closed" on \`$batch\` creates, and whole
  Zoho insert batches) left mailboxes unconverged in most passes until 6 Dec. Their cause was the simulators'
  HTTP server (Node's parser pauses a connection whose previous answer is still being written, and a request
  arriving then was dropped: \`bridge/simulators/shared/server.ts\`, test \`bridge/test/faults/connections.test.ts\`),
  not the network; fixed, the full-scale run below converged every mailbox. The bench also starts the workers
  together again: two workers starting at once on a fresh schema deadlocked in pg-boss's queue creation and the
  failed one hung (fixed with an advisory lock; \`bridge/test/jobs/pg-boss-concurrent-start.test.ts\`).

${scale === 1 ? "" : SCALED_DOWN_NOTE}- PROBLEM rows, when present, are real failures seen in the run, each with its first item error.

### Hot spots found (profiles: \`npm run bench -- --cpu-prof DIR\`, one V8 profile per engine process)

Fixed on 25 Nov (sync core): one commit per relation row, normal-form texts recomputed per comparison, first-sync
match keys computed against an empty side, the Windows/IANA table searched per event time. Fixed on 6 Dec:
- Zoho calls: creating a record no longer moves \`Last_Activity_Time\` in the simulator (real Zoho leaves it null
  until the first activity), so the CRM-sent mail feed no longer reads the Emails related list of every record the
  bridge wrote (800–2 000 \`emails.list\` per initial sync before; 0 now); the change feed's watermark follows Zoho's
  clock (Date header), so an idle cycle after a bulk write no longer re-lists the whole burst
  (\`bridge/src/connectors/zoho/records.ts\` \`listChanges\`).
- CPU: date/time mapping without luxon on the hot path (\`bridge/src/mapping/time.ts\`, ICU offsets remembered per
  zone and day), EWS reads ask for exactly the mapped properties and look optional ones up without exceptions
  (\`bridge/src/connectors/ews/\`), 2007 MeetingTimeZone rules remembered per zone and year.
- Memory: the engine decides, writes and commits in slices of 200 writes, keeps full listings packed (values as
  JSON arrays, field names once per listing) and reads only the merge bases of pairs a feed touched
  (\`bridge/src/sync/engine.ts\`, \`packed.ts\`).
Remaining:
- EWS: inside the unchanged ews-javascript-api (XML parsing, \`PropertyBag.LoadFromXmlJsObject\`, moment date
  parsing) is about 40 % of the EWS engine's CPU; the e-mail module now maps its 20k messages (it dropped them
  before), which is most of the EWS CPU per item.
- Graph: every changed recurring series is read once more (one GET with its exceptions and cancelled occurrences,
  20 per \`$batch\`), most of the run's Graph calls.
- Wall ÷ lower bound: the bound is the calls the limits allow × 30 ms; the wall is dominated by CPU (simulators and
  bridge share the 2 CPUs: compare the simulators' CPU in the same row), not by calls.
- Memory: at 100k contacts the live heap peaks at about 60 MB (mostly the packed listing, which must stay until the
  circuit breaker has seen every deletion), but V8 keeps 2.5–3× that committed; flat memory needs a two-pass run
  (re-read values by id, more calls) or values parked in the store. About 130 MB is resident before the first record:
  the tsx loader ≈ 74 MB (\`bin/bridge.mjs\` runs TypeScript through tsx), storage drivers, the model.
- Cluster: 2 workers ÷ 1 on this 2-CPU machine, where both workers, the simulators and PostgreSQL share 2 CPUs.
`;

export function renderResults(results: BenchResults): { table: string; markdown: string } {
  const all = rows(results);
  const scaled =
    results.scale === 1
      ? ""
      : `SCALED DOWN to ${results.scale}× the issue's counts (${JSON.stringify(results.counts)}); full size is the default (--scale 1 --big 100000)\n`;
  const text = scaled + table(all);
  const machine = results.machine;
  const markdown = `# Benchmark results (issue 10 item 1)

Command: \`${results.command}\` (took ${results.durationSeconds} s)

Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB RAM, Node ${machine.node}; load average
at the end ${machine.loadAverageAtEnd.join(" / ")} (other processes share the machine: wall times and CPU figures
are inflated by that contention).
Scale ${results.scale} (counts ${JSON.stringify(results.counts)}${results.scale === 1 ? "" : " — SCALED DOWN"}).

\`\`\`
${text}
\`\`\`

${notes(results.scale)}
## Raw figures

\`\`\`json
${JSON.stringify(results, null, 2)}
\`\`\`
`;
  return { table: text, markdown };
}
