/**
 * ews-javascript-api 0.15.3 writes element text and attribute values verbatim, without XML escaping: a company
 * called "Smith & Sons" or a subject containing "<" makes a malformed request that Exchange rejects with
 * ErrorSchemaValidation. Everything the connector hands the library goes through here first; reads come back
 * unescaped by the library's XML parser, so values round-trip.
 */

export function xmlEscaped(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A copy of a plain wire object (objects, arrays, primitives) with every string escaped. */
export function escapedWire<T>(wire: T): T {
  if (typeof wire === "string") return xmlEscaped(wire) as T;
  if (Array.isArray(wire)) return wire.map((entry) => escapedWire(entry)) as T;
  if (wire !== null && typeof wire === "object" && Object.getPrototypeOf(wire) === Object.prototype) {
    return Object.fromEntries(Object.entries(wire).map(([key, value]) => [key, escapedWire(value)])) as T;
  }
  return wire;
}
