// The one adapter over @huggingface/tokenizers: token ids with the character span each token covers
// in the original text, and readable token text. No tokenization logic is written here; the one
// thing added is how transformers' Llama and Gemma tokenizer classes read add_bos_token/add_eos_token
// from tokenizer_config.json, which the library does not do.

import { Tokenizer } from '@huggingface/tokenizers';

export interface Token {
  id: number;
  /** What the token shows: its decoded text (may be '' for special tokens or partial characters). */
  text: string;
  /** [start, end) in UTF-16 code units of the prompt; special tokens the tokenizer adds get an empty span. */
  start: number;
  end: number;
  special: boolean;
}

/** Classes whose fast tokenizer rebuilds its post-processor from add_bos_token (default true) and add_eos_token (default false). */
const BOS_EOS_FROM_CONFIG = new Set(['LlamaTokenizer', 'LlamaTokenizerFast', 'CodeLlamaTokenizer', 'CodeLlamaTokenizerFast', 'GemmaTokenizer', 'GemmaTokenizerFast']);

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * tokenizer.json with the post-processor transformers (v4) gives these classes: LlamaTokenizerFast and
 * GemmaTokenizerFast call update_post_processor() on load, replacing the file's post-processor with
 * TemplateProcessing "[bos] $A [eos]" per add_bos_token / add_eos_token. Other classes (Llama 3's
 * PreTrainedTokenizerFast, Qwen2Tokenizer, GPT2Tokenizer) use the file's post-processor as it is.
 */
function withConfigPostProcessor(tokenizerJson: unknown, tokenizerConfig: unknown): unknown {
  if (!isJson(tokenizerJson) || !isJson(tokenizerConfig) || !BOS_EOS_FROM_CONFIG.has(String(tokenizerConfig.tokenizer_class))) return tokenizerJson;
  const tokenText = (value: unknown) => (typeof value === 'string' ? value : isJson(value) && typeof value.content === 'string' ? value.content : null);
  const idOf = (text: string): number | undefined => {
    const added = (Array.isArray(tokenizerJson.added_tokens) ? tokenizerJson.added_tokens : []).find((t) => isJson(t) && t.content === text);
    if (isJson(added) && typeof added.id === 'number') return added.id;
    const vocab = isJson(tokenizerJson.model) && isJson(tokenizerJson.model.vocab) ? tokenizerJson.model.vocab : {};
    return typeof vocab[text] === 'number' ? (vocab[text] as number) : undefined;
  };
  const parts: { text: string; id: number }[] = [];
  const add = (flag: unknown, fallback: boolean, key: 'bos_token' | 'eos_token') => {
    if (!(typeof flag === 'boolean' ? flag : fallback)) return null;
    const text = tokenText(tokenizerConfig[key]);
    const id = text === null ? undefined : idOf(text);
    if (text === null || id === undefined) throw new Error(`tokenizer_config.json sets ${key === 'bos_token' ? 'add_bos_token' : 'add_eos_token'} but its ${key} is not a token of tokenizer.json`);
    parts.push({ text, id });
    return text;
  };
  const bos = add(tokenizerConfig.add_bos_token, true, 'bos_token');
  const eos = add(tokenizerConfig.add_eos_token, false, 'eos_token');
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => [
    ...(bos ? [special(bos, typeId)] : []),
    { Sequence: { id, type_id: typeId } },
    ...(eos ? [special(eos, typeId)] : []),
  ];
  return {
    ...tokenizerJson,
    post_processor: {
      type: 'TemplateProcessing',
      single: sequence('A', 0),
      pair: [...sequence('A', 0), ...sequence('B', 1)],
      special_tokens: Object.fromEntries(parts.map(({ text, id }) => [text, { id: text, ids: [id], tokens: [text] }])),
    },
  };
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly specialIds: Set<number>;
  private idLimit = Infinity;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown | null) {
    this.tokenizer = new Tokenizer(withConfigPostProcessor(tokenizerJson, tokenizerConfig) as object, (tokenizerConfig ?? {}) as object);
    this.specialIds = new Set([...this.tokenizer.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
  }

  /**
   * Encodes `text` with the tokenizer's own special-token rules (BOS when it adds one) and finds each
   * token's character span by decoding growing prefixes: exact for byte-level BPE, and a token that ends
   * inside a multi-byte character gets an empty span, its character going to the token that completes it.
   * Special tokens the post-processor adds (BOS, EOS) get empty spans; a special token typed in the text
   * (the library matches it as one token, as transformers does) gets the span of its text, so spans tile
   * the prompt either way.
   */
  encode(text: string): Token[] {
    try {
      const ids = this.tokenizer.encode(text).ids;
      const bad = ids.find((id) => !Number.isSafeInteger(id) || id < 0);
      if (bad !== undefined) throw new Error(`it produced the token id ${String(bad)}`);
      this.checkEmbeddable(ids);
      return this.spans(text, ids, this.tokenizer.encode(text, { add_special_tokens: false }).ids);
    } catch (error) {
      if (error instanceof TokenizerError) throw error;
      throw new TokenizerError(`the tokenizer failed on this text (${error instanceof Error ? error.message : String(error)}); its tokenizer.json is damaged or unsupported`);
    }
  }

  /** `typed`: the ids of the text alone (no post-processor); they sit inside `ids` from `first` on. */
  private spans(text: string, ids: readonly number[], typed: readonly number[]): Token[] {
    const found = ids.findIndex((_, i) => typed.every((id, k) => ids[i + k] === id));
    const first = found < 0 ? ids.length : found;
    const tokens: Token[] = [];
    let end = 0;
    let segmentStart = 0; // where the current run of ordinary tokens starts (after a typed special token)
    let content: number[] = [];
    for (const [i, id] of ids.entries()) {
      const special = this.specialIds.has(id);
      const start = end;
      const fromText = i >= first && i < first + typed.length;
      if (special && fromText) {
        const shown = this.idToText(id);
        const at = text.indexOf(shown, end);
        if (at >= 0) end = at + shown.length; // includes whitespace an lstrip token absorbs
        segmentStart = end;
        content = [];
      } else if (!special) {
        content.push(id);
        const prefix = this.tokenizer.decode(content, { skip_special_tokens: true });
        if (text.startsWith(prefix, segmentStart)) end = segmentStart + prefix.length;
        else if (!prefix.endsWith('\uFFFD')) {
          // Decoders that normalize (e.g. drop a leading space) still keep order: search forward.
          const last = this.tokenizer.decode([id], { skip_special_tokens: true });
          const at = text.indexOf(last.trimStart(), end);
          if (at >= 0) end = at + last.trimStart().length;
        }
      }
      tokens.push({ id, text: special ? this.idToText(id) : text.slice(start, end), start, end, special });
    }
    return tokens;
  }

  /** Text of one token id (for predictions that are not in the prompt). */
  idToText(id: number): string {
    return this.tokenizer.decode([id], { skip_special_tokens: false });
  }

  /** Whether the id is a special token (BOS, EOS, padding…). */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /**
   * Appends generated ids to an encoded text without re-encoding (which could merge them differently):
   * each token's text is what it adds to the decoded sequence, with the same conventions as `encode`
   * (special tokens and tokens that end inside a multi-byte character get empty spans).
   */
  append(text: string, tokens: readonly Token[], ids: readonly number[]): { text: string; tokens: Token[] } {
    const content = tokens.filter((t) => !t.special).map((t) => t.id);
    const decode = () => this.tokenizer.decode(content, { skip_special_tokens: true });
    let decoded = decode();
    let out = text;
    const all = [...tokens];
    for (const id of ids) {
      const start = out.length;
      if (this.specialIds.has(id)) {
        all.push({ id, text: this.idToText(id), start, end: start, special: true });
        continue;
      }
      content.push(id);
      const now = decode();
      if (!now.endsWith('\uFFFD')) {
        out += now.startsWith(decoded) ? now.slice(decoded.length) : this.tokenizer.decode([id], { skip_special_tokens: true });
        decoded = now;
      }
      all.push({ id, text: out.slice(start), start, end: out.length, special: false });
    }
    return { text: out, tokens: all };
  }

  /** The largest token id the tokenizer can produce (vocabulary and added tokens). */
  maxTokenId(options: { specialAddedTokens?: boolean } = {}): number {
    const special = options.specialAddedTokens ?? true;
    let max = -1;
    const added = [...this.tokenizer.get_added_tokens_decoder()].filter(([, t]) => special || !t.special).map(([id]) => id);
    for (const id of [...this.tokenizer.get_vocab(special).values(), ...added]) {
      if (!Number.isSafeInteger(id) || id < 0) throw new TokenizerError(`the vocabulary holds the token id ${JSON.stringify(id)}, not a non-negative integer`);
      if (id > max) max = id;
    }
    return max;
  }

  /**
   * Ids from `limit` on have no embedding row: encode() refuses a text that produces one. Some real
   * tokenizers list special tokens beyond the text model's vocabulary (Gemma 3's `<image_soft_token>`
   * at 262144 with 262144 embedding rows), which only a prompt that types them can reach.
   */
  limitIds(limit: number): void {
    this.idLimit = limit;
  }

  /** Ids of a text on its own, without the special tokens a prompt gets (e.g. a continuation to append). */
  textIds(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    this.checkEmbeddable(ids);
    return ids;
  }

  private checkEmbeddable(ids: readonly number[]): void {
    const outside = ids.find((id) => id >= this.idLimit);
    if (outside !== undefined) {
      throw new TokenizerError(`the text contains the special token ${JSON.stringify(this.idToText(outside))} (id ${outside}), which this model has no embedding for (ids 0 … ${this.idLimit - 1}): remove it from the text`);
    }
  }

  /** The id of a token given as text, if the text is exactly one token. */
  textToId(text: string): number | null {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return ids.length === 1 ? ids[0] : null;
  }
}

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** A TextTokenizer, or a TokenizerError saying that `where` (e.g. "<folder>: tokenizer.json") is not a tokenizer the library can read. */
export function openTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown | null, where: string): TextTokenizer {
  if (tokenizerJson === null || typeof tokenizerJson !== 'object' || Array.isArray(tokenizerJson)) throw new TokenizerError(`${where} is not a JSON object`);
  if (tokenizerConfig !== null && (typeof tokenizerConfig !== 'object' || Array.isArray(tokenizerConfig))) throw new TokenizerError(`${where}: tokenizer_config.json is not a JSON object`);
  let tokenizer: TextTokenizer;
  try {
    tokenizer = new TextTokenizer(tokenizerJson, tokenizerConfig);
    tokenizer.maxTokenId();
    tokenizer.encode(PROBE_TEXT); // a tokenizer that cannot encode plain text is refused now, not at the first prompt
  } catch (error) {
    throw new TokenizerError(`${where} could not be loaded as a tokenizer (${error instanceof Error ? error.message : String(error)}); use the tokenizer files that came with the model`);
  }
  return tokenizer;
}

const PROBE_TEXT = 'Hello, world! 123 The quick brown fox.';

/**
 * Throws a TokenizerError when the tokenizer's vocabulary (or a non-special added token) has ids the
 * model's embedding has no row for; special added tokens beyond it are allowed but refused in prompts.
 */
export function checkTokenizerVocabulary(tokenizer: TextTokenizer, vocabSize: number, where: string): void {
  const max = tokenizer.maxTokenId({ specialAddedTokens: false });
  if (max >= vocabSize) {
    throw new TokenizerError(`${where} has token ids up to ${max}, but the model's embedding has only ${vocabSize} rows (ids 0 … ${vocabSize - 1}): the tokenizer does not belong to this model`);
  }
  tokenizer.limitIds(vocabSize);
}
