import { ProviderError } from '@contacts/core';
import { XMLParser } from 'fast-xml-parser';

/**
 * One XML element with its namespace resolved: what every DAV answer is read as.
 *
 * @example
 * ```ts
 * const root: XmlElement = parseXml('<d:multistatus xmlns:d="DAV:"/>');
 * root.ns; // 'DAV:'
 * root.local; // 'multistatus'
 * ```
 */
export interface XmlElement {
  /** The namespace URI ('' when the element has none). */
  ns: string;
  local: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character data and CDATA joined, entities decoded, untrimmed). */
  text: string;
}

// parseTagValue false: text stays text (a ctag `00042` must not become the number 42, tsdav's
// corrupted sync tokens). trimValues false: a card's bytes are kept as sent. htmlEntities true:
// numeric character references (`&#13;`, SabreDAV writes CR that way) are decoded.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function splitName(name: string): [prefix: string, local: string] {
  const colon = name.indexOf(':');
  return colon === -1 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>): XmlElement | null {
  const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
  if (name === undefined) return null;
  const attributes = node[':@'] ?? {};
  let inner = scope;
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      (inner as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), value);
    }
  }
  const [prefix, local] = splitName(name);
  const element: XmlElement = { ns: inner.get(prefix) ?? '', local, attributes, children: [], text: '' };
  const content = node[name];
  for (const child of Array.isArray(content) ? (content as OrderedNode[]) : []) {
    if ('#text' in child) element.text += String(child['#text']);
    else {
      const parsed = toElement(child, inner);
      if (parsed) element.children.push(parsed);
    }
  }
  return element;
}

/**
 * Parses an XML document into namespace-resolved elements and returns the root.
 *
 * @throws ProviderError `TEMPORARY` when the text is not XML (a proxy's HTML page, a cut answer).
 * @example
 * ```ts
 * const root = parseXml('<D:multistatus xmlns:D="DAV:"><D:response/></D:multistatus>');
 * children(root, NS.dav, 'response').length; // 1
 * ```
 */
export function parseXml(text: string): XmlElement {
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text, true) as OrderedNode[];
  } catch (error) {
    throw new ProviderError('TEMPORARY', 'The CardDAV server answered with XML that could not be read.', {
      cause: error,
      provider: 'carddav',
    });
  }
  for (const node of nodes) {
    const element = toElement(node, new Map());
    if (element) return element;
  }
  throw new ProviderError('TEMPORARY', 'The CardDAV server answered with an empty XML document.', {
    provider: 'carddav',
  });
}

/**
 * The direct children of `parent` with this namespace and local name.
 *
 * @example
 * ```ts
 * const responses = children(multistatus, NS.dav, 'response');
 * ```
 */
export function children(parent: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return parent ? parent.children.filter((c) => c.ns === ns && c.local === local) : [];
}

/**
 * The first direct child of `parent` with this namespace and local name, or undefined.
 *
 * @example
 * ```ts
 * const href = child(response, NS.dav, 'href')?.text.trim();
 * ```
 */
export function child(parent: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return parent?.children.find((c) => c.ns === ns && c.local === local);
}

/**
 * Whether `parent` holds, at any depth, an element with this namespace and local name.
 *
 * @example
 * ```ts
 * containsElement(resourcetype, NS.carddav, 'addressbook'); // true for a book
 * ```
 */
export function containsElement(parent: XmlElement | undefined, ns: string, local: string): boolean {
  if (!parent) return false;
  return parent.children.some((c) => (c.ns === ns && c.local === local) || containsElement(c, ns, local));
}

/**
 * Escapes text for an XML element's content or a double-quoted attribute.
 *
 * @example
 * ```ts
 * escapeXml('/books/a&b/'); // '/books/a&amp;b/'
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
