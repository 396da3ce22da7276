/**
 * A stand-in bridge for browser tests of the built add-in while (or where) the real sandbox bridge is not running:
 * serves `addin/dist` under ADDIN_STATIC_BASE and answers every add-in route from the shared contract, validating
 * each request AND each response with the contract's zod schemas (a response that drifts from the contract is a 500,
 * so the test fails). CRM state is a tiny in-memory org: Dana Kim (Contact) at Contoso Ltd with one open Deal.
 * `onPrem` plays an on-premises bridge: no sandbox, Exchange identity tokens, and MAILBOX_NOT_LINKED until a request
 * carries an Exchange callback token (the real checks are in bridge/test/security/addin-auth.test.ts).
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  ADDIN_STATIC_BASE,
  type AddinRouteName,
  addinRoutes,
  EXCHANGE_CALLBACK_TOKEN_HEADER,
  type PersonRecord,
  type PreviewItem,
  type RecordRef,
  TOKEN_TYPE_HEADER,
} from "../../../bridge/src/api/addin.js";
import { danaContact, meetingBeingOrganised, messageFromDana, messageFromStranger, syncStatus } from "./fixtures.js";

type Handlers = { [N in AddinRouteName]: (input: never) => unknown };

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export type ContractBridge = {
  url: string;
  /** Records each e-mail is associated with, keyed by internetMessageId — what Zoho would list on each record. */
  associations: Map<string, RecordRef[]>;
  people: PersonRecord[];
  /** Every call the add-in made, as route names, in order. */
  calls: AddinRouteName[];
  /** Authenticated requests as received: route, token type and the Exchange callback token if one was sent. */
  authentications: { route: AddinRouteName; tokenType: string; callbackToken: string | null }[];
  close(): Promise<void>;
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const errorBody = (code: string, message: string) => ({ error: { code, message, requestId: "test" } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startContractBridge(
  distDir: string,
  options: { onPrem?: boolean } = {},
): Promise<ContractBridge> {
  const mailbox = { address: "me@fabrikam.com", displayName: "Me (sales)", server: "office365" as const };
  const items: PreviewItem[] = [messageFromDana, messageFromStranger, meetingBeingOrganised];
  const people: PersonRecord[] = [danaContact];
  const associations = new Map<string, RecordRef[]>();
  const calls: AddinRouteName[] = [];
  const authentications: ContractBridge["authentications"] = [];
  let mailboxLinked = false;

  const refsOf = (targets: { module: RecordRef["module"]; id: string }[]): RecordRef[] =>
    targets.map(({ module, id }) => {
      const person = people.find((p) => p.module === module && p.id === id);
      const account = people.find((p) => p.account?.id === id)?.account;
      const deal = people.flatMap((p) => p.openDeals).find((d) => d.id === id);
      const name = person?.name ?? account?.name ?? deal?.name;
      if (!name) throw Object.assign(new Error(`no ${module} ${id}`), { code: "RECORD_NOT_FOUND" });
      return { module, id, name };
    });

  const handlers: Handlers = {
    config: () => ({
      bridgeVersion: "test",
      naa: null,
      exchangeIdentity: options.onPrem === true,
      sandbox: options.onPrem !== true,
      zohoWebUrl: null,
    }),
    sandboxItems: () => ({ mailboxes: [mailbox], items }),
    sandboxToken: () => ({
      tokenType: "sandbox",
      accessToken: "contract-bridge-token",
      expiresOn: new Date(Date.now() + 3_600_000).toISOString(),
    }),
    context: (input: { emails: string[] }) => ({
      people: input.emails.map((email) => ({
        email,
        records: people.filter((p) => p.email.toLowerCase() === email.toLowerCase()),
      })),
    }),
    searchPeople: (input: { q: string }) => ({
      records: people
        .filter((p) => `${p.name} ${p.email}`.toLowerCase().includes(input.q.toLowerCase()))
        .map(({ module, id, name, email }) => ({ module, id, name, email })),
    }),
    createPerson: (input: {
      module: PersonRecord["module"];
      firstName: string | null;
      lastName: string;
      email: string;
      company: string | null;
    }) => {
      const existing = people.find((p) => p.module === input.module && p.email === input.email);
      if (existing) return { created: false, record: existing };
      const record: PersonRecord = {
        ...danaContact,
        module: input.module,
        id: `${input.module}-${people.length + 1}`,
        name: [input.firstName, input.lastName].filter(Boolean).join(" "),
        email: input.email,
        title: null,
        company: input.company,
        account: null,
        openDeals: [],
        recentActivities: [],
        openTasks: [],
      };
      people.push(record);
      return { created: true, record };
    },
    itemStatus: (input: { internetMessageId?: string }) => {
      const linked = associations.get(input.internetMessageId ?? "") ?? [];
      return linked.length > 0
        ? { state: "synced", reason: null, crmRecords: linked, lastSyncedAt: new Date().toISOString() }
        : {
            state: "not-synced",
            reason: { code: "not-sent-to-crm", message: "it has not been sent to the CRM" },
            crmRecords: [],
            lastSyncedAt: null,
          };
    },
    sendEmail: (input: { internetMessageId: string; targets: { module: RecordRef["module"]; id: string }[] }) => {
      const linked = associations.get(input.internetMessageId) ?? [];
      const results = refsOf(input.targets).map((target) => {
        const already = linked.some((r) => r.module === target.module && r.id === target.id);
        if (!already) linked.push(target);
        return { target, status: already ? "already-associated" : "associated", error: null };
      });
      associations.set(input.internetMessageId, linked);
      return { internetMessageId: input.internetMessageId, results };
    },
    createFollowUp: (input: { kind: "task" | "event"; subject?: string; title?: string }) => ({
      module: input.kind === "task" ? "Tasks" : "Events",
      id: "F1",
      name: input.subject ?? input.title ?? "",
      crmUrl: null,
    }),
    mySyncStatus: () => syncStatus,
    updateMySync: () => syncStatus,
    syncNow: () => ({ queued: [{ module: "contacts", jobId: "job-1" }] }),
    availability: (input: { emails: string[] }) => ({
      // Dana is busy in the second half hour; everyone else is free.
      schedules: input.emails.map((email) => ({
        email,
        availabilityView: email === danaContact.email ? "02" : "00",
        items: [],
        error: null,
      })),
    }),
  };

  const routeFor = (method: string, pathname: string) =>
    (Object.keys(addinRoutes) as AddinRouteName[]).find(
      (name) => addinRoutes[name].method === method && addinRoutes[name].path === pathname,
    );

  const serveStatic = async (pathname: string, res: ServerResponse) => {
    const relative = path.normalize(pathname.slice(ADDIN_STATIC_BASE.length));
    if (relative.startsWith("..")) return json(res, 404, errorBody("NOT_FOUND", pathname));
    const file = path.join(distDir, relative);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      json(res, 404, errorBody("NOT_FOUND", pathname));
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith(ADDIN_STATIC_BASE)) {
      void serveStatic(url.pathname, res);
      return;
    }
    const name = routeFor(req.method ?? "GET", url.pathname);
    if (!name) return json(res, 404, errorBody("NOT_FOUND", url.pathname));
    const definition = addinRoutes[name];
    void (async () => {
      if (
        definition.authenticated &&
        (!req.headers.authorization?.startsWith("Bearer ") || !req.headers[TOKEN_TYPE_HEADER])
      ) {
        return json(res, 401, errorBody("UNAUTHENTICATED", "bearer token and token type required"));
      }
      if (definition.authenticated) {
        const tokenType = String(req.headers[TOKEN_TYPE_HEADER]);
        const callbackToken = req.headers[EXCHANGE_CALLBACK_TOKEN_HEADER];
        authentications.push({ route: name, tokenType, callbackToken: callbackToken ? String(callbackToken) : null });
        if (tokenType !== (options.onPrem ? "exchange-identity" : "sandbox")) {
          return json(res, 401, errorBody("UNAUTHENTICATED", `${tokenType} tokens are not accepted here`));
        }
        if (options.onPrem && !mailboxLinked && !callbackToken) {
          return json(res, 403, errorBody("MAILBOX_NOT_LINKED", "send an Exchange callback token"));
        }
        mailboxLinked ||= Boolean(callbackToken);
      }
      const raw = definition.method === "GET" ? Object.fromEntries(url.searchParams) : await readJson(req);
      const input = definition.request.safeParse(raw);
      if (!input.success) return json(res, 400, errorBody("VALIDATION_FAILED", input.error.message));
      calls.push(name);
      let output: unknown;
      try {
        output = (handlers[name] as (input: unknown) => unknown)(input.data);
      } catch (error) {
        const code = (error as { code?: string }).code ?? "INTERNAL";
        return json(res, 404, errorBody(code, String(error)));
      }
      const checked = definition.response.safeParse(output);
      if (!checked.success) return json(res, 500, errorBody("CONTRACT_DRIFT", `${name}: ${checked.error.message}`));
      json(res, 200, checked.data);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    associations,
    people,
    calls,
    authentications,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
