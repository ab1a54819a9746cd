// STS answers in XML with a fixed, flat vocabulary (GetSessionTokenResponse, ErrorResponse, …):
// small targeted patterns read it without an XML dependency. Element names are literals here,
// never input.

/** The text of the first `<name>…</name>` in `xml` (attributes allowed), entities decoded. */
export function xmlText(xml: string, name: string): string | undefined {
  const raw = xmlInner(xml, name);
  return raw === undefined ? undefined : unescapeXml(raw.trim());
}

/** The raw inside of the first `<name>…</name>` element, for reading nested elements. */
export function xmlInner(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`).exec(xml);
  if (match) return match[1];
  return new RegExp(`<${name}(?:\\s[^>]*)?/>`).test(xml) ? '' : undefined;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => (part.startsWith('<![CDATA[') ? part.slice(9, -3) : decodeEntities(part)))
    .join('');
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return codePoint(parseInt(entity.slice(2), 16), whole);
    if (entity.startsWith('#')) return codePoint(parseInt(entity.slice(1), 10), whole);
    return NAMED[entity] ?? whole;
  });
}

function codePoint(n: number, fallback: string): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : fallback;
}
