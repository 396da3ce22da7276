import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ADMIN_API_PREFIX,
  adminPath,
  adminRoutes,
  CreateMeetingRequest,
  ExchangeConnection,
  SaveSyncSettingsRequest,
} from "../../src/api/admin.js";

const SECRET_KEY = /password|secret|privatekey|refreshtoken|accesstoken/i;

/** Every property path in a JSON schema whose name looks like a secret, with the schema found there. */
function secretProperties(schema: unknown, path = "$"): Array<{ path: string; schema: unknown }> {
  if (typeof schema !== "object" || schema === null) return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (key === "properties" && typeof value === "object" && value !== null) {
      return Object.entries(value).flatMap(([name, property]) => [
        ...(SECRET_KEY.test(name) ? [{ path: `${here}.${name}`, schema: property }] : []),
        ...secretProperties(property, `${here}.${name}`),
      ]);
    }
    return secretProperties(value, here);
  });
}

describe("admin API contract", () => {
  const routes = Object.entries(adminRoutes);

  it("gives every route a unique method and path under the admin prefix", () => {
    const keys = routes.map(([, route]) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const [, route] of routes) expect(route.path.startsWith(`${ADMIN_API_PREFIX}/`)).toBe(true);
  });

  it("declares exactly the path parameters each path uses", () => {
    for (const [name, route] of routes) {
      const inPath = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]).sort();
      const declared = Object.keys(z.toJSONSchema(route.params, { io: "input" }).properties ?? {}).sort();
      expect({ name, params: declared }).toEqual({ name, params: inPath });
    }
  });

  it("converts every schema to JSON Schema, so OpenAPI can be generated", () => {
    for (const [, route] of routes) {
      expect(() => z.toJSONSchema(route.request, { io: "input", unrepresentable: "any" })).not.toThrow();
      expect(() => z.toJSONSchema(route.response, { unrepresentable: "any" })).not.toThrow();
    }
  });

  it("never lets a secret out: every secret-named response field is only 'set' or 'not-set'", () => {
    const found = routes.flatMap(([name, route]) =>
      secretProperties(z.toJSONSchema(route.response, { unrepresentable: "any" })).map((property) => ({
        ...property,
        name,
      })),
    );
    const secretState = JSON.stringify({ type: "string", enum: ["set", "not-set"] });
    const leaks = found.filter(({ schema }) => JSON.stringify(schema) !== secretState);
    expect(leaks.map(({ name, path }) => `${name} ${path}`)).toEqual([]);
    // The walk really reaches the secret fields (zoho client secret, EWS password, Graph secret and key, …).
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it("rejects a stored secret echoed in an Exchange connection response", () => {
    const withPassword = {
      kind: "ews",
      endpoint: { mode: "autodiscover" },
      resolvedEwsUrl: null,
      emailAddress: "svc@contoso.com",
      username: "svc",
      password: "Hunter2!",
      domain: "CONTOSO",
      authScheme: "ntlm",
      serverVersion: "auto",
      detectedVersion: null,
    };
    expect(ExchangeConnection.safeParse(withPassword).success).toBe(false);
    expect(ExchangeConnection.safeParse({ ...withPassword, password: "set" }).success).toBe(true);
  });

  it("fills path parameters, URI-encoded, and refuses a missing one", () => {
    expect(adminPath(adminRoutes.resolveConflict.path, { id: "a/b" })).toBe(
      `${ADMIN_API_PREFIX}/conflicts/a%2Fb/resolution`,
    );
    expect(() => adminPath(adminRoutes.resetUser.path, {})).toThrow(/zohoUserId/);
  });

  it("rejects a meeting that ends before it starts, and a meeting without attendees", () => {
    const meeting = {
      organizerZohoUserId: "1",
      kind: "meeting",
      subject: "Kick-off",
      attendees: [{ kind: "contact", id: "2", name: "Ann", email: "ann@example.com" }],
      location: "",
      start: "2026-11-26T10:00:00+01:00",
      end: "2026-11-26T09:00:00+01:00",
      timeZone: "Europe/Berlin",
      reminder: { enabled: true, minutesBefore: 15 },
      description: "",
    };
    expect(CreateMeetingRequest.safeParse(meeting).error?.issues[0]?.path).toEqual(["end"]);
    const noAttendees = { ...meeting, end: "2026-11-26T11:00:00+01:00", attendees: [] };
    expect(CreateMeetingRequest.safeParse(noAttendees).error?.issues[0]?.path).toEqual(["attendees"]);
    expect(CreateMeetingRequest.safeParse({ ...noAttendees, kind: "appointment" }).success).toBe(true);
  });

  it("requires the revision that was read when saving settings", () => {
    const shape = SaveSyncSettingsRequest.shape;
    expect(shape.revision.safeParse(undefined).success).toBe(false);
  });
});
