/**
 * SOAP Autodiscover (`/autodiscover/autodiscover.svc`, Exchange 2010+): GetUserSettings.
 *
 * Shape follows the recordings in shared/conformance/ews/samples (msdocs and exchangelib
 * Autodiscover.SOAP.GetUserSettings.response.xml): a WS-Addressing envelope whose header carries the Autodiscover
 * ServerVersionInfo, and one UserResponse per requested user, in request order. Per-user problems are not faults:
 * an unknown address answers `InvalidUser` ("The SMTP address has no mailbox associated with it.", the text
 * Exchange sends and exchangelib's autodiscover matches), a setting the server does not know is listed under
 * UserSettingErrors as `InvalidSetting` and the known ones are still returned
 * (learn.microsoft.com getusersettings-operation-soap / usersettingerror-soap).
 */
import type { Organisation } from "./store.js";
import type { ServerVersion } from "./versions.js";
import { child, children, escapeXml, type XNode } from "./xml.js";

const AUTODISCOVER_NS = "http://schemas.microsoft.com/exchange/2010/Autodiscover";

/** Autodiscover's own ServerVersionInfo Version values (the recording from a 15.20 server says Exchange2015). */
const AUTODISCOVER_VERSION: Record<ServerVersion["release"], string> = {
  "2007SP1": "Exchange2007_SP1",
  "2010SP1": "Exchange2010_SP1",
  "2010SP2": "Exchange2010_SP2",
  "2013SP1": "Exchange2013_SP1",
  "2016": "Exchange2015",
  "2019": "Exchange2015",
};

/** Schema names the server lists in EwsSupportedSchemas (a 2010 CAS answers "Exchange2007, Exchange2010"). */
const SUPPORTED_SCHEMAS: Record<ServerVersion["release"], string> = {
  "2007SP1": "Exchange2007",
  "2010SP1": "Exchange2007, Exchange2010, Exchange2010_SP1",
  "2010SP2": "Exchange2007, Exchange2010, Exchange2010_SP1, Exchange2010_SP2",
  "2013SP1": "Exchange2007, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1",
  "2016": "Exchange2007, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1",
  "2019": "Exchange2007, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1",
};

const pad = (n: number, width: number) => String(n).padStart(width, "0");

export function getUserSettingsResponse(server: ServerVersion, org: Organisation, envelope: XNode, baseUrl: string) {
  const request = child(child(child(envelope, "Body"), "GetUserSettingsRequestMessage"), "Request");
  const requested = children(child(request, "RequestedSettings"), "Setting").map((s) => s.text);
  const host = new URL(baseUrl).hostname;
  const { info } = server;
  const userResponses = children(child(request, "Users"), "User").map((user) => {
    const address = child(user, "Mailbox")?.text ?? "";
    const mailbox = org.findMailbox(address);
    if (!mailbox) {
      return `<UserResponse><ErrorCode>InvalidUser</ErrorCode><ErrorMessage>The SMTP address has no mailbox associated with it.</ErrorMessage><RedirectTarget i:nil="true"/><UserSettingErrors/><UserSettings/></UserResponse>`;
    }
    const known: Record<string, string> = {
      UserDisplayName: mailbox.displayName,
      UserDN: `/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${mailbox.smtp.split("@")[0]}`,
      UserDeploymentId: mailbox.guid,
      AutoDiscoverSMTPAddress: mailbox.smtp,
      CasVersion: `${info.major}.${pad(info.minor, 2)}.${pad(info.majorBuild, 4)}.${pad(info.minorBuild, 3)}`,
      EwsSupportedSchemas: SUPPORTED_SCHEMAS[server.release],
      InternalEwsUrl: `${baseUrl}/EWS/Exchange.asmx`,
      ExternalEwsUrl: `${baseUrl}/EWS/Exchange.asmx`,
      InternalMailboxServer: host,
      ActiveDirectoryServer: host,
    };
    const settings = requested
      .filter((name) => name in known)
      .map(
        (name) =>
          `<UserSetting i:type="StringSetting"><Name>${name}</Name><Value>${escapeXml(known[name] ?? "")}</Value></UserSetting>`,
      )
      .join("");
    const errors = requested
      .filter((name) => !(name in known))
      .map(
        (name) =>
          `<UserSettingError><ErrorCode>InvalidSetting</ErrorCode><ErrorMessage>The requested setting is invalid.</ErrorMessage><SettingName>${escapeXml(name)}</SettingName></UserSettingError>`,
      )
      .join("");
    return `<UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage>No error.</ErrorMessage><RedirectTarget i:nil="true"/><UserSettingErrors>${errors}</UserSettingErrors><UserSettings>${settings}</UserSettings></UserResponse>`;
  });
  const header = `<h:ServerVersionInfo xmlns:h="${AUTODISCOVER_NS}"><h:MajorVersion>${info.major}</h:MajorVersion><h:MinorVersion>${info.minor}</h:MinorVersion><h:MajorBuildNumber>${info.majorBuild}</h:MajorBuildNumber><h:MinorBuildNumber>${info.minorBuild}</h:MinorBuildNumber><h:Version>${AUTODISCOVER_VERSION[server.release]}</h:Version></h:ServerVersionInfo>`;
  const action = `<a:Action s:mustUnderstand="1">${AUTODISCOVER_NS}/Autodiscover/GetUserSettingsResponse</a:Action>`;
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>${action}${header}</s:Header><s:Body><GetUserSettingsResponseMessage xmlns="${AUTODISCOVER_NS}"><Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ErrorCode>NoError</ErrorCode><ErrorMessage/><UserResponses>${userResponses.join("")}</UserResponses></Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>`;
}
