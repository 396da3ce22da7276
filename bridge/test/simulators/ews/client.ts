/** An unchanged ews-javascript-api client (with @ewsjs/xhr) pointed at a running EWS simulator. */
import { XhrApi } from "@ewsjs/xhr";
import {
  ConnectingIdType,
  ExchangeService,
  ExchangeVersion,
  ImpersonatedUserId,
  Uri,
  WebCredentials,
} from "ews-javascript-api";

export const VERSIONS = {
  "2007SP1": ExchangeVersion.Exchange2007_SP1,
  "2010SP2": ExchangeVersion.Exchange2010_SP2,
  "2016": ExchangeVersion.Exchange2016,
} as const;

export interface ClientOptions {
  version: ExchangeVersion;
  url: string;
  user: string;
  password: string;
  impersonate?: string;
  ntlm?: boolean;
}

export function ewsClient(options: ClientOptions): ExchangeService {
  const service = new ExchangeService(options.version);
  service.Credentials = new WebCredentials(options.user, options.password);
  service.Url = new Uri(options.url);
  const xhr = new XhrApi({ rejectUnauthorized: true });
  // biome-ignore lint/correctness/useHookAtTopLevel: not a React hook, @ewsjs/xhr's NTLM switch
  if (options.ntlm) xhr.useNtlmAuthentication(options.user, options.password);
  service.XHRApi = xhr;
  if (options.impersonate) {
    service.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, options.impersonate);
    service.HttpHeaders.Add("X-AnchorMailbox", options.impersonate);
  }
  return service;
}
