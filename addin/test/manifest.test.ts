// @vitest-environment node
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { renderAddinManifest, SANDBOX_PUBLIC_URL } from "../../bridge/src/api/addin-manifest.js";
import { startTestBridge } from "../../bridge/test/http/harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const xsdDir = path.resolve(repoRoot, "../shared/conformance/addin/xsd");
// Same file set and order as ../shared/conformance/addin/validate-manifest.mjs: the main schema imports the others.
const schemaFiles = [
  "OfficeAppManifestV1_1.xsd",
  "OfficeAppBasicTypesV1_0.xsd",
  "MailAppVersionOverridesV1_0.xsd",
  "MailAppVersionOverridesV1_1.xsd",
  "TaskPaneAppVersionOverridesV1_0.xsd",
  "ContentAppVersionOverridesV1_0.xsd",
];

async function validateManifest(xml: string) {
  const [main, ...preload] = await Promise.all(
    schemaFiles.map(async (fileName) => ({ fileName, contents: await readFile(path.join(xsdDir, fileName), "utf8") })),
  );
  if (!main) throw new Error("schema set is empty");
  const result = await validateXML({ xml: [{ fileName: "manifest.xml", contents: xml }], schema: [main], preload });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}

describe("manifest.xml", () => {
  it("the committed manifest is the renderer's output for the sandbox URL", async () => {
    const committed = await readFile(path.join(repoRoot, "manifest.xml"), "utf8");
    expect(committed).toBe(renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL }));
  });

  it("validates against the official add-in manifest XSDs", async () => {
    const result = await validateManifest(await readFile(path.join(repoRoot, "manifest.xml"), "utf8"));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("renders valid manifests pointing at another public URL, with a path prefix and escaped names", async () => {
    const xml = renderAddinManifest({
      publicUrl: "https://crm.example.com/bridge",
      version: "2.3.1",
      displayName: "Zoho CRM <Contoso & Co>",
    });
    expect(xml).toContain('<SourceLocation DefaultValue="https://crm.example.com/bridge/addin/taskpane.html"/>');
    expect(xml).toContain("<AppDomain>https://crm.example.com</AppDomain>");
    expect(xml).toContain("Zoho CRM &lt;Contoso &amp; Co&gt;");
    expect(xml).not.toContain("localhost");
    expect((await validateManifest(xml)).valid).toBe(true);
  });

  it("declares Mailbox 1.1 with an ItemRead pane, commands at 1.3 and pinning at 1.5", () => {
    const xml = renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL });
    expect(xml).toMatch(/<Set Name="Mailbox" MinVersion="1.1"\/>/);
    expect(xml).toMatch(/<Form xsi:type="ItemRead">/);
    expect(xml).toMatch(/DefaultMinVersion="1.3"[\s\S]*MessageReadCommandSurface[\s\S]*DefaultMinVersion="1.5"/);
    expect(xml.match(/<SupportsPinning>true<\/SupportsPinning>/g)).toHaveLength(1);
  });

  it("names and describes the add-in in German and French as well, where the schema allows overrides", async () => {
    const xml = renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL });
    expect(xml).toMatch(
      /<DisplayName DefaultValue="Zoho CRM for Outlook">\s*<Override Locale="de-DE" Value="Zoho CRM für Outlook"\/>\s*<Override Locale="fr-FR" Value="Zoho CRM pour Outlook"\/>\s*<\/DisplayName>/,
    );
    expect(xml).toMatch(/<Description DefaultValue="[^"]+">\s*<Override Locale="de-DE" Value="Zeigt[^"]+"\/>/);
    // Each VersionOverrides level has its own Resources: the button label is localised in both.
    expect(xml.match(/<bt:Override Locale="de-DE" Value="CRM anzeigen"\/>/g)).toHaveLength(2);
    expect(xml.match(/<bt:Override Locale="fr-FR" Value="Affiche les fiches CRM[^"]*"\/>/g)).toHaveLength(2);
    const overridden = xml.replace('<Override Locale="de-DE"', '<Override Locale="de-DE" Unknown="x"');
    expect((await validateManifest(overridden)).valid).toBe(false);
  });

  it("a deployment's own display name replaces the product name in every language", async () => {
    const xml = renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL, displayName: "Contoso CRM" });
    expect(xml).toContain('<DisplayName DefaultValue="Contoso CRM"/>');
    expect(xml).not.toContain("Zoho CRM für Outlook");
    expect((await validateManifest(xml)).valid).toBe(true);
  });

  it("each bridge serves the manifest rendered for its own public URL at /addin/manifest.xml", async () => {
    const bridge = await startTestBridge();
    try {
      const response = await fetch(`${bridge.url}/addin/manifest.xml`);
      expect(response.headers.get("content-type")).toContain("application/xml");
      const xml = await response.text();
      expect(xml).toContain(`<SourceLocation DefaultValue="${bridge.url}/addin/taskpane.html"/>`);
      expect(xml).toContain('<Override Locale="de-DE" Value="Zoho CRM für Outlook"/>');
      expect((await validateManifest(xml)).valid).toBe(true);
    } finally {
      await bridge.close();
    }
  });

  it("rejects a version the schema would reject", () => {
    expect(() => renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL, version: "1.0.0.0.0" })).toThrow(/version/);
  });

  it("fails validation when the schema order is broken, so the validator is really checking", async () => {
    const broken = renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL }).replace(
      /(<ProviderName>[^<]*<\/ProviderName>)\s*(<DefaultLocale>[^<]*<\/DefaultLocale>)/,
      "$2$1",
    );
    const result = await validateManifest(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.join("\n")).toMatch(/DefaultLocale/);
  });
});

describe("manifest resources", () => {
  it("every icon and page the manifest names is part of the add-in build", async () => {
    const xml = renderAddinManifest({ publicUrl: SANDBOX_PUBLIC_URL });
    const paths = [...xml.matchAll(/"https:\/\/localhost:3000\/addin\/([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(paths).toContain("taskpane.html");
    for (const resource of new Set(paths)) {
      const file = resource.startsWith("assets/")
        ? path.join(here, "../public", resource)
        : path.join(here, "..", resource);
      await expect(readFile(file), resource).resolves.toBeInstanceOf(Buffer);
    }
  });
});
