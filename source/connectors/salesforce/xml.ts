/**
 * A small reader for the SOAP answers of Salesforce's Metadata API: elements, their attributes and
 * text, with namespace prefixes dropped (`soapenv:Body` is `Body`). No DOCTYPE, no entity
 * declarations (refused: nothing a SOAP answer needs, and the way XML bombs come in); the five
 * predefined entities and character references are decoded.
 */

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export class XmlError extends Error {}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** A character reference's character; one beyond Unicode (which fromCodePoint throws on) is U+FFFD. */
function character(code: number): string {
  return code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, ref: string) => {
    const r = ref.toLowerCase();
    if (r.startsWith('#x')) return character(parseInt(r.slice(2), 16));
    if (r.startsWith('#')) return character(parseInt(r.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[r] ?? '';
  });
}

function attributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
    attrs[local(m[1] ?? '')] = decode(m[3] ?? m[4] ?? '');
  return attrs;
}

/** The document's root element. */
export function parseXml(xml: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlError('a DOCTYPE or entity declaration');
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const tag =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const top = stack[stack.length - 1]!;
    const between = xml.slice(at, m.index);
    if (between.includes('<')) throw new XmlError(`unreadable markup near offset ${at}`);
    top.text += decode(between);
    at = tag.lastIndex;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2] !== undefined) {
      if (stack.length < 2 || top.name !== local(m[2])) throw new XmlError(`unexpected </${m[2]}>`);
      stack.pop();
    } else if (m[3] !== undefined) {
      const node: XmlNode = { name: local(m[3]), attrs: attributes(m[4] ?? ''), children: [], text: '' };
      top.children.push(node);
      if (m[5] !== '/') stack.push(node);
    }
  }
  if (xml.slice(at).includes('<') || stack.length !== 1) throw new XmlError('the document ends early');
  const first = root.children[0];
  if (!first || root.children.length !== 1) throw new XmlError('not one root element');
  return first;
}

/** The children named `name`. */
export function all(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The first child named `name`, or the node at the end of a path of names. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) cur = cur?.children.find((c) => c.name === name);
  return cur;
}

/** The trimmed text of the element at `path`, or undefined where there is none (or it is nil). */
export function textAt(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const n = child(node, ...path);
  if (!n || n.attrs.nil === 'true') return undefined;
  return n.text.trim();
}

/** Text for an XML element: `&`, `<`, `>` and quotes escaped. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
