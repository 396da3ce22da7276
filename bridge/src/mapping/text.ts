/**
 * Plain text from an HTML body. The connectors ask Exchange for text bodies (Graph `Prefer:
 * outlook.body-content-type="text"`, EWS `BodyType=Text`), so this is the fallback for HTML that arrives anyway:
 * block ends become line breaks, tags go, the five XML entities, `&nbsp;` and numeric references are decoded.
 */
const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script)\b[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6])>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X"))
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
      return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A body as canonical plain text, whatever content type the wire declared. */
export function bodyText(
  body: { contentType?: string; content?: string | null } | null | undefined,
): string | undefined {
  const content = body?.content ?? "";
  const text = body?.contentType?.toLowerCase() === "html" ? htmlToText(content) : content;
  return text === "" ? undefined : text;
}
