/**
 * The simulated Exchange releases and the EWS schema versions they understand.
 *
 * A server accepts any RequestServerVersion up to its own and validates the request against the schema of the
 * version *requested* (ews.md §2: SuppressReadReceipts sent as Exchange2010_SP2 to a newer server fails schema
 * validation). Capabilities follow the served WSDLs: streaming notifications from 2010 SP1, SyncScope from 2010,
 * ErrorExceededConnectionCount from 2010, ErrorServerBusy with BackOffMilliseconds from 2013.
 */

export type ServerRelease = "2007SP1" | "2010SP1" | "2010SP2" | "2013SP1" | "2016" | "2019";

/** Folders under the conformance xsd directory. */
export type SchemaFolder =
  | "Exchange2007_SP1"
  | "Exchange2010_SP1"
  | "Exchange2010_SP2"
  | "Exchange2013_SP1"
  | "Exchange2016";

export interface ServerVersion {
  release: ServerRelease;
  /** ServerVersionInfo attributes as real servers of this release send them (ews.md §1). */
  info: { major: number; minor: number; majorBuild: number; minorBuild: number; version: string };
  /** Rank of the newest schema it serves, comparable with RequestedVersion.rank. */
  rank: number;
  /** 2007 answers with `soap:`/`t:ServerVersionInfo`, 2010 SP2+ with `s:`/`h:ServerVersionInfo`. */
  modernEnvelope: boolean;
  streaming: boolean;
  backOffHint: boolean;
  connectionCountError: boolean;
  soapAutodiscover: boolean;
}

export const SERVER_VERSIONS: Record<ServerRelease, ServerVersion> = {
  "2007SP1": {
    release: "2007SP1",
    info: { major: 8, minor: 1, majorBuild: 436, minorBuild: 0, version: "Exchange2007_SP1" },
    rank: 1,
    modernEnvelope: false,
    streaming: false,
    backOffHint: false,
    connectionCountError: false,
    soapAutodiscover: false,
  },
  "2010SP1": {
    release: "2010SP1",
    info: { major: 14, minor: 1, majorBuild: 218, minorBuild: 15, version: "Exchange2010_SP1" },
    rank: 3,
    modernEnvelope: false,
    streaming: true,
    backOffHint: false,
    connectionCountError: true,
    soapAutodiscover: true,
  },
  "2010SP2": {
    release: "2010SP2",
    info: { major: 14, minor: 2, majorBuild: 328, minorBuild: 9, version: "Exchange2010_SP2" },
    rank: 4,
    modernEnvelope: true,
    streaming: true,
    backOffHint: false,
    connectionCountError: true,
    soapAutodiscover: true,
  },
  "2013SP1": {
    release: "2013SP1",
    info: { major: 15, minor: 0, majorBuild: 1076, minorBuild: 9, version: "V2_22" },
    rank: 6,
    modernEnvelope: true,
    streaming: true,
    backOffHint: true,
    connectionCountError: true,
    soapAutodiscover: true,
  },
  "2016": {
    release: "2016",
    info: { major: 15, minor: 1, majorBuild: 2176, minorBuild: 12, version: "V2017_07_11" },
    rank: 7,
    modernEnvelope: true,
    streaming: true,
    backOffHint: true,
    connectionCountError: true,
    soapAutodiscover: true,
  },
  "2019": {
    release: "2019",
    info: { major: 15, minor: 2, majorBuild: 1748, minorBuild: 10, version: "V2017_07_11" },
    rank: 7,
    modernEnvelope: true,
    streaming: true,
    backOffHint: true,
    connectionCountError: true,
    soapAutodiscover: true,
  },
};

export interface RequestedVersion {
  name: string;
  rank: number;
  schema: SchemaFolder;
}

const REQUESTED: RequestedVersion[] = [
  { name: "Exchange2007", rank: 0, schema: "Exchange2007_SP1" },
  { name: "Exchange2007_SP1", rank: 1, schema: "Exchange2007_SP1" },
  { name: "Exchange2010", rank: 2, schema: "Exchange2010_SP1" },
  { name: "Exchange2010_SP1", rank: 3, schema: "Exchange2010_SP1" },
  { name: "Exchange2010_SP2", rank: 4, schema: "Exchange2010_SP2" },
  { name: "Exchange2013", rank: 5, schema: "Exchange2013_SP1" },
  { name: "Exchange2013_SP1", rank: 6, schema: "Exchange2013_SP1" },
  ...["Exchange2015", "Exchange2016", "V2015_10_05", "V2016_01_06", "V2016_04_13", "V2016_07_13"].map((name) => ({
    name,
    rank: 7,
    schema: "Exchange2016" as const,
  })),
  ...["V2016_10_10", "V2017_01_07", "V2017_04_14", "V2017_07_11"].map((name) => ({
    name,
    rank: 7,
    schema: "Exchange2016" as const,
  })),
];

/** The requested version, or undefined when the name is unknown (→ ErrorInvalidServerVersion). */
export function requestedVersion(name: string | undefined): RequestedVersion | undefined {
  // Before 2010 the Version attribute was optional; a missing one means Exchange2007 (docs requestserverversion.md).
  return REQUESTED.find((v) => v.name === (name ?? "Exchange2007"));
}

export function atLeast(requested: RequestedVersion, name: string): boolean {
  const other = REQUESTED.find((v) => v.name === name);
  return other !== undefined && requested.rank >= other.rank;
}
