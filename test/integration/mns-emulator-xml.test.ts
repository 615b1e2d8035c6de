import { describe, expect, it } from "vitest";
import { parseXml, renderMnsDocument, XmlSyntaxError } from "../../local/mns-emulator/xml.ts";

describe("MNS emulator XML reader and writer", () => {
  it("reads the SDK's request shape, namespaces and nested elements", () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/">' +
        "<MessageBody>a &amp; b &lt;c&gt; &#x5F20;</MessageBody><MessageAttributes><DirectSMS>{}</DirectSMS></MessageAttributes></Message>",
    );
    expect(root.name).toBe("Message");
    expect(root.attributes).toEqual({ xmlns: "http://mns.aliyuncs.com/doc/v1/" });
    expect(root.children.map((c) => c.name)).toEqual(["MessageBody", "MessageAttributes"]);
    expect(root.children[0]?.text).toBe("a & b <c> 张");
    expect(root.children[1]?.children[0]).toMatchObject({ name: "DirectSMS", text: "{}" });
  });

  it.each([
    ["a raw ampersand", "<M><B>Tom & Jerry</B></M>", /must start an entity/],
    ["an unknown entity", "<M>&nbsp;</M>", /must start an entity/],
    ["a raw '<' in text", "<M>a < b</M>", /expected a name/],
    ["a mismatched closing tag", "<M><B>x</C></M>", /does not match/],
    ["an unclosed element", "<M><B>x</B>", /not closed/],
    ["content after the root", "<M/><N/>", /after the root/],
    ["a DOCTYPE", '<!DOCTYPE M [<!ENTITY x "y">]><M/>', /DOCTYPE/],
    ["a forbidden character reference", "<M>&#0;</M>", /must start an entity/],
  ])("rejects %s", (_label, xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    expect(() => parseXml(xml)).toThrow(message);
  });

  it("escapes what it writes so the text reads back unchanged", () => {
    const text = `<a href="x">Tom & "Jerry"</a> 张三`;
    const xml = renderMnsDocument("Message", [["MessageBody", text]]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/">' +
        "<MessageBody>&lt;a href=&quot;x&quot;&gt;Tom &amp; &quot;Jerry&quot;&lt;/a&gt; 张三</MessageBody></Message>",
    );
    expect(parseXml(xml).children[0]?.text).toBe(text);
  });
});
