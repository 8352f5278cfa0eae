// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { normalizeSvg, roundNumber, roundNumbersIn } from './svgSnapshot';

const SVG = 'xmlns="http://www.w3.org/2000/svg"';

describe('roundNumber', () => {
  it('rounds |x| ≥ 1 to 0.1 and smaller values to 2 significant digits', () => {
    expect(roundNumber(117.249)).toBe(117.2);
    expect(roundNumber(-42.96)).toBe(-43);
    expect(roundNumber(1)).toBe(1);
    expect(roundNumber(0.33333)).toBe(0.33);
    expect(roundNumber(0.012345)).toBe(0.012);
    expect(roundNumber(-0.0004)).toBe(-0.0004);
    expect(roundNumber(1.234e-7)).toBe(1.2e-7);
  });
  it('gives the same answer for values that differ only in their last bits', () => {
    // 117.25 computed with a last-bit error either way, as another V8 or CPU might.
    const below = 117.25 - 2 ** -46;
    const above = 117.25 + 2 ** -46;
    expect(below).not.toBe(above);
    expect(roundNumber(below)).toBe(roundNumber(above));
    expect(roundNumber(0.1 + 0.2)).toBe(0.3);
    expect(roundNumber(2.9999999999999996)).toBe(3);
  });
  it('turns noise around 0 into 0 (never -0) and leaves non-finite values alone', () => {
    expect(roundNumber(1.4210854715202004e-14)).toBe(0);
    expect(Object.is(roundNumber(-1e-12), 0)).toBe(true);
    expect(Object.is(roundNumber(-0), 0)).toBe(true);
    expect(roundNumber(NaN)).toBeNaN();
    expect(roundNumber(Infinity)).toBe(Infinity);
  });
});

describe('roundNumbersIn', () => {
  it('rounds numbers in path data, transforms and prose; keeps numbers rounding leaves unchanged as written', () => {
    expect(roundNumbersIn('M86.33333333333333,120.00000000000001C86.3,97.5 -3.14159,0.5')).toBe('M86.3,120C86.3,97.5 -3.1,0.5');
    expect(roundNumbersIn('translate(12.345,6) rotate(-55)')).toBe('translate(12.3,6) rotate(-55)');
    expect(roundNumbersIn('ρ = -0.80, 100%, flow 0.05, 1e-3, 3.')).toBe('ρ = -0.80, 100%, flow 0.05, 1e-3, 3.');
    expect(roundNumbersIn('mean 3.14159 ± 0.123456')).toBe('mean 3.1 ± 0.12');
  });
  it('leaves colours and id references as they are', () => {
    expect(roundNumbersIn('#1e5a8c rgb(12.5, 34, 56) rgba(0,0,0,0.3333) url(#g1.25)')).toBe('#1e5a8c rgb(12.5, 34, 56) rgba(0,0,0,0.3333) url(#g1.25)');
  });
});

describe('normalizeSvg', () => {
  it('prints one element per line, indented, attributes sorted, text kept on its element’s line', () => {
    const text = normalizeSvg(`<svg ${SVG} width="500" height="120.00000001"><g transform="translate(1.25,2)" class="a"><rect y="3" x="2.55555"/><text xml:space="preserve" y="1"> sofa</text></g></svg>`);
    expect(text).toBe(
      [
        `<svg height="120" width="500" ${SVG}>`,
        '  <g class="a" transform="translate(1.3,2)">',
        '    <rect x="2.6" y="3"/>',
        '    <text xml:space="preserve" y="1"> sofa</text>',
        '  </g>',
        '</svg>',
        '',
      ].join('\n'),
    );
  });
  it('renumbers ids in order of first appearance, with their url(#…) and href references', () => {
    const text = normalizeSvg(
      `<svg ${SVG} xmlns:xlink="http://www.w3.org/1999/xlink">` +
        '<rect fill="url(#grad-b)" clip-path="url(\'#clip-a\')"/>' +
        '<defs><linearGradient id="grad-b"/><clipPath id="clip-a"/><marker id="arrow-7"/></defs>' +
        '<use href="#arrow-7"/><use xlink:href="#grad-b"/><path marker-end="url(#arrow-7)"/>' +
        '</svg>',
    );
    // On the rect, clip-path sorts before fill, so clip-a is seen first.
    expect(text).toContain('<rect clip-path="url(#id1)" fill="url(#id2)"/>');
    expect(text).toContain('<linearGradient id="id2"/>');
    expect(text).toContain('<clipPath id="id1"/>');
    expect(text).toContain('<marker id="id3"/>');
    expect(text).toContain('<use href="#id3"/>');
    expect(text).toContain('<use xlink:href="#id2"/>');
    expect(text).toContain('<path marker-end="url(#id3)"/>');
    expect(text).not.toMatch(/grad-b|clip-a|arrow-7/);
  });
  it('the same drawing with other ids and last-bit differences gives the same text', () => {
    const draw = (id: string, x: number) => `<svg ${SVG}><defs><linearGradient id="${id}"><stop offset="10%" stop-color="rgb(0, 34, 78)"/></linearGradient></defs><rect x="${x}" fill="url(#${id})"/></svg>`;
    expect(normalizeSvg(draw('export-heatmap-gradient', 0.1 + 0.2))).toBe(normalizeSvg(draw(':r3:-gradient', 0.3)));
    expect(normalizeSvg(draw('a', 10))).not.toBe(normalizeSvg(draw('a', 10.2)));
  });
  it('escapes markup and line breaks so each element stays on one line', () => {
    const text = normalizeSvg(`<svg ${SVG}><title>a &lt;b&gt; &amp; "c"&#10;d\te</title><g aria-label="x &quot;y&quot;&#10;z"/><text> </text></svg>`);
    expect(text).toContain('<title>a &lt;b&gt; &amp; "c"&#10;d&#9;e</title>');
    expect(text).toContain('<g aria-label="x &quot;y&quot;&#10;z"/>');
    expect(text).toContain('<text> </text>'); // a space token is kept
    expect(text.trimEnd().split('\n')).toHaveLength(5);
  });
  it('takes a live element as well as its markup, with the same result', () => {
    const host = document.createElement('div');
    host.innerHTML = `<svg ${SVG} viewBox="0 0 10 10"><circle r="2.54" cx="1"></circle></svg>`;
    const svg = host.querySelector('svg')!;
    expect(normalizeSvg(svg)).toBe(normalizeSvg(svg.outerHTML));
    // As d3's attr('xml:space', 'preserve') sets it: namespaced, without a prefix. (jsdom's outerHTML then
    // drops the namespace and writes space="…"; XMLSerializer, which the export uses, writes xml:space.)
    svg.querySelector('circle')!.setAttributeNS('http://www.w3.org/XML/1998/namespace', 'space', 'preserve');
    expect(normalizeSvg(svg)).toBe(normalizeSvg(new XMLSerializer().serializeToString(svg)));
    expect(normalizeSvg(svg)).toBe(`<svg viewBox="0 0 10 10" ${SVG}>\n  <circle cx="1" r="2.5" xml:space="preserve"/>\n</svg>\n`);
  });
  it('says what is wrong with markup that is not well-formed', () => {
    expect(() => normalizeSvg(`<svg ${SVG}><g></svg>`)).toThrow(/not well-formed XML/);
  });
});
