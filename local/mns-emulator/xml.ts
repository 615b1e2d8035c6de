/**
 * A small strict XML reader and writer for the flat documents MNS exchanges.
 * Strict on purpose: a raw `&` or `<` in text is an error, as on the real service, because the
 * @alicloud/mns SDK writes request XML without escaping anything.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element, entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "XmlSyntaxError";
  }
}

const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function isAllowedCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string): never {
    throw new XmlSyntaxError(message, this.pos);
  }

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  expect(s: string): void {
    if (!this.startsWith(s)) this.fail(`expected "${s}"`);
    this.pos += s.length;
  }

  skipWhitespace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }

  readName(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) this.fail("expected a name");
    this.pos += m[0].length;
    return m[0];
  }

  skipUntil(terminator: string, what: string): void {
    const end = this.src.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  /** Skips comments and processing instructions between markup; returns false when none was found. */
  skipMisc(): boolean {
    if (this.startsWith("<!--")) {
      this.skipUntil("-->", "comment");
      return true;
    }
    if (this.startsWith("<?")) {
      this.skipUntil("?>", "processing instruction");
      return true;
    }
    return false;
  }

  /** Decodes text up to `stop`, resolving entity and character references; rejects raw `<` and bad `&`. */
  readCharData(stop: string): string {
    let out = "";
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] ?? "";
      if (ch === stop || ch === "<") return out;
      if (ch === "&") {
        out += this.readReference();
        continue;
      }
      const cp = this.src.codePointAt(this.pos) ?? 0;
      if (!isAllowedCodePoint(cp)) this.fail(`character U+${cp.toString(16).toUpperCase()} is not allowed`);
      const char = String.fromCodePoint(cp);
      out += char;
      this.pos += char.length;
    }
    return out;
  }

  readReference(): string {
    const end = this.src.indexOf(";", this.pos);
    const body = end < 0 ? "" : this.src.slice(this.pos + 1, end);
    let decoded: string | undefined;
    if (/^#[0-9]+$/.test(body) || /^#x[0-9a-fA-F]+$/.test(body)) {
      const cp = body[1] === "x" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      if (isAllowedCodePoint(cp)) decoded = String.fromCodePoint(cp);
    } else {
      decoded = PREDEFINED_ENTITIES[body];
    }
    if (decoded === undefined) this.fail('"&" must start an entity such as &amp; (escape it in text)');
    this.pos = end + 1;
    return decoded;
  }

  readAttributes(): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = this.pos;
      this.skipWhitespace();
      if (this.startsWith(">") || this.startsWith("/>")) return attributes;
      if (this.pos === before) this.fail("expected whitespace before an attribute");
      const name = this.readName();
      this.skipWhitespace();
      this.expect("=");
      this.skipWhitespace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail("expected a quoted attribute value");
      this.pos++;
      const value = this.readCharData(quote);
      this.expect(quote);
      if (Object.hasOwn(attributes, name)) this.fail(`duplicate attribute "${name}"`);
      attributes[name] = value;
    }
  }

  readElement(): XmlElement {
    this.expect("<");
    const name = this.readName();
    const element: XmlElement = { name, attributes: this.readAttributes(), children: [], text: "" };
    if (this.startsWith("/>")) {
      this.pos += 2;
      return element;
    }
    this.expect(">");
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`element <${name}> is not closed`);
      if (this.startsWith("</")) {
        this.pos += 2;
        const closing = this.readName();
        if (closing !== name) this.fail(`closing tag </${closing}> does not match <${name}>`);
        this.skipWhitespace();
        this.expect(">");
        return element;
      }
      if (this.startsWith("<![CDATA[")) {
        const start = this.pos + 9;
        this.skipUntil("]]>", "CDATA section");
        element.text += this.src.slice(start, this.pos - 3);
      } else if (this.startsWith("<!--")) {
        this.skipMisc();
      } else if (this.startsWith("<?") || this.startsWith("<!")) {
        this.fail("processing instructions and declarations are not allowed inside elements");
      } else if (this.startsWith("<")) {
        element.children.push(this.readElement());
      } else {
        element.text += this.readCharData("<");
      }
    }
  }
}

/** Parses one XML document into its root element; throws XmlSyntaxError when it is not well-formed. */
export function parseXml(input: string): XmlElement {
  const reader = new Reader(input.startsWith("\uFEFF") ? input.slice(1) : input);
  reader.skipWhitespace();
  while (reader.skipMisc()) reader.skipWhitespace();
  if (reader.startsWith("<!")) reader.fail("DOCTYPE declarations are not allowed");
  if (!reader.startsWith("<")) reader.fail("expected a root element");
  const root = reader.readElement();
  reader.skipWhitespace();
  while (reader.skipMisc()) reader.skipWhitespace();
  if (reader.pos < reader.src.length) reader.fail("content after the root element");
  return root;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c] ?? ""};`);
}

/** Content of an element to write: text, a number, or child elements in order. */
export type XmlContent = string | number | ReadonlyArray<readonly [string, XmlContent]>;

export function renderElement(name: string, content: XmlContent, attributes = ""): string {
  const inner =
    typeof content === "string" || typeof content === "number"
      ? escapeXml(String(content))
      : content.map(([childName, childContent]) => renderElement(childName, childContent)).join("");
  return `<${name}${attributes}>${inner}</${name}>`;
}

export const MNS_NAMESPACE = "http://mns.aliyuncs.com/doc/v1/";

/** A whole MNS document: declaration plus a root element carrying the MNS namespace. */
export function renderMnsDocument(root: string, content: XmlContent): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${renderElement(root, content, ` xmlns="${MNS_NAMESPACE}"`)}`;
}
