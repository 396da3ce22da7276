/**
 * Renders the Outlook add-in's XML manifest for the bridge's public URL, so each installation serves a manifest that
 * points at itself. `manifest.xml` at the repository root is this function's output for the default sandbox URL
 * (a test keeps them identical and validates both against the official XSDs in ../shared/conformance/addin/xsd/).
 *
 * Layout (element order is enforced by the XSD; see ../shared/spec/graph-and-addin.md §2.1–2.3):
 * - Mailbox 1.1 minimum with an ItemRead task pane, so Exchange 2013 (1.1 only) still gets the pane;
 * - VersionOverrides 1.0 (Mailbox 1.3): a button on the message read surface and on the appointment organizer surface;
 * - nested VersionOverrides 1.1 (Mailbox 1.5): the same buttons, the read pane pinnable (`SupportsPinning`).
 * Clients ignore override levels they do not support and fall back to the outer definition.
 *
 * Texts Outlook shows before the pane opens (name, description, ribbon button) carry `<Override Locale=…>` for the
 * task pane's other languages (German, French; the XSD allows overrides on DisplayName, Description and bt:String).
 *
 * Permission is ReadWriteItem, the least that works: adding CRM contacts as attendees uses
 * `item.requiredAttendees.addAsync`, whose minimum permission is "read/write item" (learn.microsoft.com
 * javascript/api/outlook/office.recipients, addAsync remarks). Reading mail needs only ReadItem, which it includes.
 */
import { ADDIN_STATIC_BASE } from "./addin.js";

export type AddinManifestOptions = {
  /** The bridge's public origin (and optional path prefix), e.g. `https://crm-bridge.example.com`. */
  publicUrl: string;
  /** Four-part manifest version (`n(.n){0,3}` in the XSD). */
  version?: string;
  /** Stable per deployment: Outlook keys installed add-ins by this id. */
  id?: string;
  displayName?: string;
};

export const DEFAULT_MANIFEST_ID = "8f1c6a0e-4b52-4d7e-9a3c-5e2b7d9f0c14";
export const SANDBOX_PUBLIC_URL = "https://localhost:3000";

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

const ICON_SIZES = [16, 32, 80] as const;

type ManifestText = "displayName" | "description" | "buttonLabel" | "buttonTooltip";
const DEFAULT_TEXT: Record<ManifestText, string> = {
  displayName: "Zoho CRM for Outlook",
  description:
    "See the Zoho CRM contacts, accounts and deals of the people you e-mail, send e-mails to the CRM and manage your sync.",
  buttonLabel: "Show CRM",
  buttonTooltip: "Shows the CRM records of the people in this item and sends it to Zoho CRM.",
};
/** The same texts in the add-in's other catalog languages (addin/src/i18n). */
const LOCALISED_TEXT: Record<string, Record<ManifestText, string>> = {
  "de-DE": {
    displayName: "Zoho CRM für Outlook",
    description:
      "Zeigt die Zoho-CRM-Kontakte, -Firmen und -Geschäftschancen der Personen, mit denen Sie schreiben, sendet E-Mails ins CRM und verwaltet Ihre Synchronisierung.",
    buttonLabel: "CRM anzeigen",
    buttonTooltip: "Zeigt die CRM-Datensätze der Personen in diesem Element und sendet es an Zoho CRM.",
  },
  "fr-FR": {
    displayName: "Zoho CRM pour Outlook",
    description:
      "Affiche les contacts, comptes et affaires Zoho CRM des personnes à qui vous écrivez, envoie les e-mails au CRM et gère votre synchronisation.",
    buttonLabel: "Afficher le CRM",
    buttonTooltip: "Affiche les fiches CRM des personnes de cet élément et l’envoie à Zoho CRM.",
  },
};

/** `<{element} DefaultValue=…>` with one `<{override} Locale=… Value=…/>` per localised language. */
function localised(element: string, override: string, text: ManifestText, indent: string, id = ""): string {
  const idAttribute = id ? ` id="${id}"` : "";
  const overrides = Object.entries(LOCALISED_TEXT).map(
    ([locale, texts]) => `${indent}  <${override} Locale="${locale}" Value="${escapeXml(texts[text])}"/>`,
  );
  return `<${element}${idAttribute} DefaultValue="${escapeXml(DEFAULT_TEXT[text])}">\n${overrides.join("\n")}\n${indent}</${element}>`;
}

function commandSurfaces(indent: string, pinnable: boolean): string {
  const button = (surface: string, id: string, pin: boolean) => `<ExtensionPoint xsi:type="${surface}">
  <OfficeTab id="TabDefault">
    <Group id="${id}Group">
      <Label resid="Group.Label"/>
      <Control xsi:type="Button" id="${id}Button">
        <Label resid="Button.Label"/>
        <Supertip>
          <Title resid="Button.Label"/>
          <Description resid="Button.Tooltip"/>
        </Supertip>
        <Icon>
${ICON_SIZES.map((size) => `          <bt:Image size="${size}" resid="Icon.${size}"/>`).join("\n")}
        </Icon>
        <Action xsi:type="ShowTaskpane">
          <SourceLocation resid="Taskpane.Url"/>${pin ? "\n          <SupportsPinning>true</SupportsPinning>" : ""}
        </Action>
      </Control>
    </Group>
  </OfficeTab>
</ExtensionPoint>`;
  const body = `<Host xsi:type="MailHost">
  <DesktopFormFactor>
${indentLines(button("MessageReadCommandSurface", "crmMessageRead", pinnable), "    ")}
${indentLines(button("AppointmentOrganizerCommandSurface", "crmAppointment", false), "    ")}
  </DesktopFormFactor>
</Host>`;
  return indentLines(body, indent);
}

function resources(indent: string, base: string): string {
  const body = `<Resources>
  <bt:Images>
${ICON_SIZES.map((size) => `    <bt:Image id="Icon.${size}" DefaultValue="${base}assets/icon-${size}.png"/>`).join("\n")}
  </bt:Images>
  <bt:Urls>
    <bt:Url id="Taskpane.Url" DefaultValue="${base}taskpane.html"/>
  </bt:Urls>
  <bt:ShortStrings>
    <bt:String id="Group.Label" DefaultValue="Zoho CRM"/>
    ${localised("bt:String", "bt:Override", "buttonLabel", "    ", "Button.Label")}
  </bt:ShortStrings>
  <bt:LongStrings>
    ${localised("bt:String", "bt:Override", "buttonTooltip", "    ", "Button.Tooltip")}
  </bt:LongStrings>
</Resources>`;
  return indentLines(body, indent);
}

const indentLines = (text: string, indent: string) =>
  text
    .split("\n")
    .map((line) => (line ? indent + line : line))
    .join("\n");

export function renderAddinManifest(options: AddinManifestOptions): string {
  const origin = new URL(options.publicUrl);
  const base = escapeXml(new URL(ADDIN_STATIC_BASE.slice(1), `${origin.href.replace(/\/?$/, "/")}`).href);
  const appDomain = escapeXml(origin.origin);
  const version = options.version ?? "1.0.0.0";
  if (!/^\d{1,5}(\.\d{1,5}){0,3}$/.test(version)) throw new Error(`Invalid manifest version "${version}"`);
  // A deployment's own name replaces the product name in every language.
  const displayName = options.displayName
    ? `<DisplayName DefaultValue="${escapeXml(options.displayName)}"/>`
    : localised("DisplayName", "Override", "displayName", "  ");
  return `<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0"
  xsi:type="MailApp">
  <Id>${escapeXml(options.id ?? DEFAULT_MANIFEST_ID)}</Id>
  <Version>${version}</Version>
  <ProviderName>Exchange Zoho CRM Bridge</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  ${displayName}
  ${localised("Description", "Override", "description", "  ")}
  <IconUrl DefaultValue="${base}assets/icon-64.png"/>
  <HighResolutionIconUrl DefaultValue="${base}assets/icon-128.png"/>
  <SupportUrl DefaultValue="${base}support.html"/>
  <AppDomains>
    <AppDomain>${appDomain}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Mailbox"/>
  </Hosts>
  <Requirements>
    <Sets>
      <Set Name="Mailbox" MinVersion="1.1"/>
    </Sets>
  </Requirements>
  <FormSettings>
    <Form xsi:type="ItemRead">
      <DesktopSettings>
        <SourceLocation DefaultValue="${base}taskpane.html"/>
        <RequestedHeight>450</RequestedHeight>
      </DesktopSettings>
    </Form>
    <Form xsi:type="ItemEdit">
      <DesktopSettings>
        <SourceLocation DefaultValue="${base}taskpane.html"/>
      </DesktopSettings>
    </Form>
  </FormSettings>
  <Permissions>ReadWriteItem</Permissions>
  <Rule xsi:type="RuleCollection" Mode="Or">
    <Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/>
    <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/>
  </Rule>
  <DisableEntityHighlighting>false</DisableEntityHighlighting>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
    <Requirements>
      <bt:Sets DefaultMinVersion="1.3">
        <bt:Set Name="Mailbox"/>
      </bt:Sets>
    </Requirements>
    <Hosts>
${commandSurfaces("      ", false)}
    </Hosts>
${resources("    ", base)}
    <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
      <Requirements>
        <bt:Sets DefaultMinVersion="1.5">
          <bt:Set Name="Mailbox"/>
        </bt:Sets>
      </Requirements>
      <Hosts>
${commandSurfaces("        ", true)}
      </Hosts>
${resources("      ", base)}
    </VersionOverrides>
  </VersionOverrides>
</OfficeApp>
`;
}
