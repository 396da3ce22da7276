/** Starts a Zoho simulator over HTTPS for a test file and gives it an authorized raw-HTTP client. */
import { afterAll, beforeAll } from "vitest";
import {
  BRIDGE_SCOPES,
  DEFAULT_CLIENT,
  type RunningZohoSimulator,
  startZohoSimulator,
  type ZohoSimulatorOptions,
} from "../../../simulators/zoho/index.js";
import { testPki } from "../../support/pki.js";

export interface ZohoReply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary Zoho JSON
  json: any;
}

export interface ZohoTestClient {
  sim: RunningZohoSimulator;
  accessToken: string;
  apiDomain: string;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; token?: string },
  ): Promise<ZohoReply>;
  /** A fresh access token through the real token endpoint. */
  login(scopes?: string[]): Promise<string>;
}

export async function tokenRequest(tokenUrl: string, params: Record<string, string>): Promise<ZohoReply> {
  const response = await fetch(tokenUrl, { method: "POST", body: new URLSearchParams(params) });
  return readReply(response);
}

async function readReply(response: Response): Promise<ZohoReply> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function useZohoSimulator(options: ZohoSimulatorOptions = {}): ZohoTestClient {
  const client = {} as ZohoTestClient;
  beforeAll(async () => {
    const sim = await startZohoSimulator({ searchIndexLagMs: 0, ...options, pki: await testPki() });
    client.sim = sim;
    client.apiDomain = sim.control.urls().apiDomain;
    client.login = async (scopes = BRIDGE_SCOPES) => {
      const refresh = sim.control.issueRefreshToken({ scopes });
      const reply = await tokenRequest(sim.control.urls().tokenUrl, {
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
      });
      return reply.json.access_token as string;
    };
    client.accessToken = await client.login();
    client.call = async (method, path, callOptions = {}) => {
      const headers: Record<string, string> = {
        authorization: `Zoho-oauthtoken ${callOptions.token ?? client.accessToken}`,
        ...callOptions.headers,
      };
      let body: string | undefined;
      if (callOptions.body !== undefined) {
        body = JSON.stringify(callOptions.body);
        headers["content-type"] = "application/json";
      }
      const response = await fetch(`${client.apiDomain}/crm/v8/${path}`, { method, headers, body });
      return readReply(response);
    };
  });
  afterAll(async () => {
    await client.sim?.close();
  });
  return client;
}
