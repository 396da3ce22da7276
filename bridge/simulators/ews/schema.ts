/**
 * The served EWS schemas: request/response validation and the element order of item types.
 *
 * Validation uses libxml2 (compiled to WebAssembly): each version's envelope schema is compiled once, on first
 * use, and reused for every request (compiling costs ~0.4 s, validating a typical request well under 1 ms).
 * Element order: an item is stored as a bag of elements and rendered in the order the *requested* version's
 * types.xsd declares for its type (base types first), so a property unknown to that version is simply not sent —
 * the same projection the real server makes.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { XmlDocument, XsdValidator } from "libxml2-wasm";
import { xmlRegisterFsInputProviders } from "libxml2-wasm/lib/nodejs.mjs";
import type { SchemaFolder } from "./versions.js";

/** `shared/conformance/ews/xsd`, next to the repository (CI always has it), or EWS_XSD_DIR. */
export function defaultXsdDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.EWS_XSD_DIR,
    resolve(here, "../../../../shared/conformance/ews/xsd"),
    "/work/shared/conformance/ews/xsd",
  ];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, "xml.xsd")));
}

export interface SchemaViolation {
  line: number;
  position: number;
  violation: string;
}

let providersRegistered = false;

/**
 * Compiled validators are shared by every simulator in the process (keyed by file path): compiling is the
 * expensive part and the schema files never change while a process runs.
 */
const compiled = new Map<string, XsdValidator>();

export class SchemaSet {
  private readonly orders = new Map<SchemaFolder, Map<string, string[]>>();
  private readonly typesText = new Map<SchemaFolder, string>();

  constructor(readonly xsdDir: string | undefined) {}

  get enabled(): boolean {
    return this.xsdDir !== undefined;
  }

  /** Validates a whole SOAP envelope; strict also checks the headers (only valid when the version matches). */
  validate(folder: SchemaFolder, xml: string, strict: boolean): SchemaViolation | undefined {
    const validator = this.validator(folder, strict ? "soap-envelope-strict.xsd" : "soap-envelope.xsd");
    if (!validator) return undefined;
    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromString(xml);
    } catch (error) {
      return { line: 1, position: 0, violation: errorText(error) };
    }
    try {
      validator.validate(doc);
      return undefined;
    } catch (error) {
      const detail = (error as { details?: { message: string; line: number; col: number }[] }).details?.[0];
      return {
        line: detail?.line ?? 1,
        position: detail?.col ?? 0,
        violation: (detail?.message ?? errorText(error)).trim(),
      };
    } finally {
      doc.dispose();
    }
  }

  /** Element names of a types.xsd complex type, base types first; empty for an unknown type. */
  elementOrder(folder: SchemaFolder, typeName: string): string[] {
    let perFolder = this.orders.get(folder);
    if (!perFolder) {
      perFolder = new Map();
      this.orders.set(folder, perFolder);
    }
    let order = perFolder.get(typeName);
    if (!order) {
      order = this.xsdDir ? sequenceOf(this.typesXsd(folder), typeName) : [];
      perFolder.set(typeName, order);
    }
    return order;
  }

  private typesXsd(folder: SchemaFolder): string {
    let text = this.typesText.get(folder);
    if (text === undefined) {
      text = readFileSync(join(this.xsdDir ?? "", folder, "types.xsd"), "utf8");
      this.typesText.set(folder, text);
    }
    return text;
  }

  private validator(folder: SchemaFolder, file: string): XsdValidator | undefined {
    if (!this.xsdDir) return undefined;
    const path = join(this.xsdDir, folder, file);
    let validator = compiled.get(path);
    if (!validator) {
      if (!providersRegistered) providersRegistered = xmlRegisterFsInputProviders();
      const schemaDoc = XmlDocument.fromString(readFileSync(path, "utf8"), { url: path });
      validator = XsdValidator.fromDoc(schemaDoc);
      schemaDoc.dispose();
      compiled.set(path, validator);
    }
    return validator;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Scans the one-declaration-per-line types.xsd for a complexType's sequence, following extension bases. */
function sequenceOf(xsd: string, typeName: string): string[] {
  const start = xsd.search(new RegExp(`<xs:complexType name="${typeName}"[ >]`));
  if (start < 0) return [];
  const end = xsd.indexOf("</xs:complexType>", start);
  const body = xsd.slice(start, end);
  const base = /<xs:extension base="t:([A-Za-z]+)"/.exec(body)?.[1];
  const own = [...body.matchAll(/<xs:element name="([A-Za-z0-9]+)"/g)].map((m) => m[1] as string);
  return [...(base ? sequenceOf(xsd, base) : []), ...own];
}
