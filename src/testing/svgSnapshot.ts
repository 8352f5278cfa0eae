// Test support, never imported by shipped code: an SVG chart as stable, readable text for file
// snapshots, so a change to what a chart draws shows up in review as a small diff.
//
// Rules (each one keeps the text the same across platforms and runs, or readable):
// - One element per line, indented two spaces per depth; an element with only text keeps it on its line.
//   Whitespace-only text between elements is layout and is dropped; text inside a text-only element is
//   kept exactly (a token can be a single space). Line breaks and tabs in text are written as &#10; and
//   &#9;, so one element stays on one line.
// - Attributes sorted by name in code-unit order (not localeCompare, whose order depends on the locale).
// - Ids renumbered id1, id2, … in order of first appearance, whether the first sight is the `id`
//   itself or a reference to it (url(#…) in any attribute, href="#…"): the caller chooses the ids, so
//   the snapshot should not depend on them.
// - Numbers in attribute values and text rounded (see roundNumber); colours (#rrggbb, rgb(…)) and
//   url(#…) references are left as they are.

/** Significant digits kept before rounding for display: far more than a chart can show, far fewer than a double carries. */
const DENOISE_DIGITS = 10;
/** Smaller magnitudes are rounding noise around 0 (a coordinate that is 0 on one machine and 1.4e-14 on another). */
const ZERO_BELOW = 1e-9;

/**
 * Coordinates and sizes (|x| ≥ 1) to 0.1, a tenth of a pixel that no one sees; smaller values
 * (opacities, weights, fractions) to 2 significant digits, so 0.012 does not read as 0.
 * The value is first cut to 10 significant digits: d3's scales go through Math.pow, Math.log and
 * friends, which V8 does not promise to be correctly rounded, so the last bit of a coordinate may differ
 * between Node versions or CPUs. Without that step, 117.25 computed as 117.24999999999999 on one machine
 * and 117.25000000000001 on another would round apart; with it, only a value whose noise crosses a
 * 10-digit boundary can. The final step uses toFixed / toPrecision, whose decimal rounding the language
 * defines exactly. Magnitudes below 1e-9 become 0 (and -0 becomes 0).
 */
export function roundNumber(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) < ZERO_BELOW) return 0;
  const denoised = Number(x.toPrecision(DENOISE_DIGITS));
  return Math.abs(denoised) >= 1 ? Number(denoised.toFixed(1)) : Number(denoised.toPrecision(2));
}

// A colour or an id reference (kept as written), or a number (rounded).
const TOKEN = /(#[0-9a-fA-F]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|url\(#[^)]*\))|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

/**
 * Rounds every number in `text`. A number that rounding leaves unchanged is kept as written, so the
 * chart's own formatting (0.80, 100%, 3.) reads as drawn and only long computed values change.
 */
export function roundNumbersIn(text: string): string {
  return text.replace(TOKEN, (match, kept: string | undefined) => {
    if (kept) return kept;
    const value = Number(match);
    const rounded = roundNumber(value);
    return rounded === value ? match : String(rounded);
  });
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
const escapeAttribute = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** Gives each id its number on first sight. */
class IdNumbering {
  private readonly names = new Map<string, string>();
  rename(id: string): string {
    let name = this.names.get(id);
    if (name === undefined) {
      name = `id${this.names.size + 1}`;
      this.names.set(id, name);
    }
    return name;
  }
}

// Namespaced attributes set without a prefix (d3's attr('xml:space', …) calls setAttributeNS(XML, 'space', …))
// are written with their usual prefix, as a serializer would, so an element and its markup read the same.
const PREFIXES: Record<string, string> = { 'http://www.w3.org/XML/1998/namespace': 'xml', 'http://www.w3.org/1999/xlink': 'xlink' };
const attributeName = (a: Attr) => (!a.prefix && a.namespaceURI && PREFIXES[a.namespaceURI] ? `${PREFIXES[a.namespaceURI]}:${a.localName}` : a.name);

function attributeValue(name: string, value: string, ids: IdNumbering): string {
  if (name === 'id') return ids.rename(value);
  if ((name === 'href' || name === 'xlink:href') && value.startsWith('#')) return `#${ids.rename(value.slice(1))}`;
  const referenced = value.replace(/url\(\s*(['"]?)#([^'")\s]+)\1\s*\)/g, (_, _quote: string, id: string) => `url(#${ids.rename(id)})`);
  return roundNumbersIn(referenced);
}

function printElement(el: Element, depth: number, ids: IdNumbering, out: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = Array.from(el.attributes, (a): [string, string] => [attributeName(a), a.value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ` ${name}="${escapeAttribute(attributeValue(name, value, ids))}"`)
    .join('');
  const open = `<${el.localName}${attributes}`;
  const nodes = Array.from(el.childNodes);
  const isText = (n: Node) => n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE;
  if (nodes.every(isText)) {
    const text = nodes.map((n) => n.textContent ?? '').join('');
    out.push(text ? `${indent}${open}>${escapeText(roundNumbersIn(text))}</${el.localName}>` : `${indent}${open}/>`);
    return;
  }
  out.push(`${indent}${open}>`);
  for (const node of nodes) {
    if (node.nodeType === ELEMENT_NODE) printElement(node as Element, depth + 1, ids, out);
    else if (isText(node) && node.textContent!.trim()) out.push(`${indent}  ${escapeText(roundNumbersIn(node.textContent!))}`);
  }
  out.push(`${indent}</${el.localName}>`);
}

/** Parses SVG markup (needs a DOM: run the test in the jsdom environment). */
function parseSvg(markup: string): Element {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const error = doc.getElementsByTagName('parsererror')[0];
  if (error) throw new Error(`normalizeSvg: the markup is not well-formed XML (${error.textContent?.trim().slice(0, 200)}); pass the element itself or its outerHTML`);
  return doc.documentElement;
}

/**
 * The normalized text of an SVG element or of its markup (ends with a newline). Serialize with
 * XMLSerializer, as the export does: jsdom's outerHTML drops the xml: prefix of d3's xml:space.
 */
export function normalizeSvg(svg: Element | string): string {
  const out: string[] = [];
  printElement(typeof svg === 'string' ? parseSvg(svg) : svg, 0, new IdNumbering(), out);
  return `${out.join('\n')}\n`;
}
