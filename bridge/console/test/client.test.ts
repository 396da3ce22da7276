import { describe, expect, it } from "vitest";
import { AdminApiError, createHttpAdminClient, readCookie } from "../src/api/client.js";
import { session, users } from "./support/fixtures.js";

interface Sent {
  url: string;
  init: RequestInit | undefined;
}

function recordingFetch(reply: () => Response): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(input), init });
    return reply();
  };
  return { fetch: fetchImpl as typeof fetch, sent };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("HTTP admin client", () => {
  it("sends GET requests as a query string without a body or CSRF header", async () => {
    const { fetch, sent } = recordingFetch(() => json({ users }));
    const client = createHttpAdminClient({ baseUrl: "https://bridge.test", fetch, csrfToken: () => "t0k" });
    const answer = await client.call("users", { search: "ada", zohoStatus: undefined });
    expect(answer.users).toHaveLength(3);
    expect(sent[0]?.url).toBe("https://bridge.test/api/admin/users?search=ada");
    expect(sent[0]?.init?.method).toBe("GET");
    expect(sent[0]?.init?.body).toBeUndefined();
    expect(new Headers(sent[0]?.init?.headers).get("x-csrf-token")).toBeNull();
  });

  it("sends unsafe requests as JSON with the CSRF token and fills path parameters", async () => {
    const { fetch, sent } = recordingFetch(() => json({ id: "c/1", status: "resolved", runId: "r1" }));
    const client = createHttpAdminClient({ baseUrl: "", fetch, csrfToken: () => "t0k" });
    await client.call("resolveConflict", { resolution: "keep-zoho" }, { id: "c/1" });
    expect(sent[0]?.url).toBe("/api/admin/conflicts/c%2F1/resolution");
    expect(sent[0]?.init?.method).toBe("POST");
    expect(JSON.parse(String(sent[0]?.init?.body))).toEqual({ resolution: "keep-zoho" });
    const headers = new Headers(sent[0]?.init?.headers);
    expect(headers.get("x-csrf-token")).toBe("t0k");
    expect(headers.get("content-type")).toBe("application/json");
  });

  it("turns the contract's error shape into an AdminApiError with code, status and details", async () => {
    const { fetch } = recordingFetch(() =>
      json({ error: { code: "stale-revision", message: "settings changed", details: { revision: 4 } } }, 409),
    );
    const client = createHttpAdminClient({ baseUrl: "", fetch });
    const failure = await client.call("session", {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminApiError);
    expect(failure).toMatchObject({ code: "stale-revision", status: 409, message: "settings changed" });
    expect((failure as AdminApiError).details).toEqual({ revision: 4 });
  });

  it("reports an HTML error page or a broken answer as internal, not as data", async () => {
    const html = recordingFetch(() => new Response("<html>502 Bad Gateway</html>", { status: 502 }));
    await expect(createHttpAdminClient({ baseUrl: "", fetch: html.fetch }).call("session", {})).rejects.toMatchObject({
      code: "internal",
      status: 502,
    });
    const drifted = recordingFetch(() => json({ ...session, installed: "yes" }));
    await expect(createHttpAdminClient({ baseUrl: "", fetch: drifted.fetch }).call("session", {})).rejects.toThrow(
      /does not match the admin API contract/,
    );
  });

  it("reports an unreachable bridge as a network error", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    await expect(createHttpAdminClient({ baseUrl: "", fetch: fetchImpl }).call("session", {})).rejects.toMatchObject({
      code: "network",
    });
  });

  it("reads the CSRF cookie among others", () => {
    expect(readCookie("bridge_csrf", "a=1; bridge_csrf=x%3Dy; b=2")).toBe("x=y");
    expect(readCookie("bridge_csrf", "a=1")).toBeUndefined();
  });
});
