/** What the crash test and the process it kills share. */

export interface CrashConfig {
  dbFile: string;
  keyHex: string;
  graphUrl: string;
  graphAuthority: string;
  mailbox: string;
  zohoAccountsUrl: string;
  zohoClientId: string;
  zohoClientSecret: string;
  zohoRefreshToken: string;
  /** Which restart this is; it picks the module the child starts with. */
  round: number;
}

/** The module ports are optional on the port interface; this test needs all three. */
export function required<P>(port: P | undefined, name: string): P {
  if (!port) throw new Error(`the connector has no ${name} port`);
  return port;
}
