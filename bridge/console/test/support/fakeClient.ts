/**
 * A stand-in for the bridge in component tests. Every request the console sends is checked against the contract's
 * request schema and every canned answer against the response schema, so a test cannot pass with a shape the real
 * bridge would reject or never send. Calls are recorded for assertions.
 */
import {
  type AdminParams,
  type AdminRequest,
  type AdminResponse,
  type AdminRouteName,
  adminRoutes,
} from "../../../src/api/admin.js";
import { AdminApiError, type AdminClient } from "../../src/api/client.js";

export type Handlers = {
  [N in AdminRouteName]?: (
    request: AdminRequest<N>,
    params: AdminParams<N> | undefined,
  ) => AdminResponse<N> | Promise<AdminResponse<N>>;
};

export interface RecordedCall {
  name: AdminRouteName;
  request: unknown;
  params: unknown;
}

export interface FakeClient extends AdminClient {
  calls: RecordedCall[];
  callsTo(name: AdminRouteName): RecordedCall[];
}

export function fakeClient(handlers: Handlers): FakeClient {
  const calls: RecordedCall[] = [];
  return {
    calls,
    callsTo: (name) => calls.filter((call) => call.name === name),
    async call(name, request, ...params) {
      calls.push({ name, request, params: params[0] });
      const route = adminRoutes[name];
      const sent = route.request.safeParse(request);
      if (!sent.success) throw new Error(`console sent an invalid ${name} request: ${sent.error.message}`);
      const handler = handlers[name] as
        | ((request: unknown, params: unknown) => AdminResponse<typeof name> | Promise<AdminResponse<typeof name>>)
        | undefined;
      if (handler === undefined) throw new AdminApiError("not-found", `no fake for ${name}`, 404);
      const answer = await handler(request, params[0]);
      const checked = route.response.safeParse(answer);
      if (!checked.success) throw new Error(`fake ${name} answer breaks the contract: ${checked.error.message}`);
      return answer;
    },
  };
}
