// The one adapter over @huggingface/tokenizers: token ids with the character span each token covers
// in the original text, and readable token text. No tokenization logic is written here.

import { Tokenizer } from '@huggingface/tokenizers';

export interface Token {
  id: number;
  /** What the token shows: its decoded text (may be '' for special tokens or partial characters). */
  text: string;
  /** [start, end) in UTF-16 code units of the prompt; special tokens get an empty span. */
  start: number;
  end: number;
  special: boolean;
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly specialIds: Set<number>;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown | null) {
    this.tokenizer = new Tokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
    this.specialIds = new Set([...this.tokenizer.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
  }

  /**
   * Encodes `text` with the tokenizer's own special-token rules (BOS when it adds one) and finds each
   * token's character span by decoding growing prefixes: exact for byte-level BPE, and a token that ends
   * inside a multi-byte character gets an empty span, its character going to the token that completes it.
   */
  encode(text: string): Token[] {
    let ids: number[];
    try {
      ids = this.tokenizer.encode(text).ids;
      const bad = ids.find((id) => !Number.isSafeInteger(id) || id < 0);
      if (bad !== undefined) throw new Error(`it produced the token id ${String(bad)}`);
      return this.spans(text, ids);
    } catch (error) {
      if (error instanceof TokenizerError) throw error;
      throw new TokenizerError(`the tokenizer failed on this text (${error instanceof Error ? error.message : String(error)}); its tokenizer.json is damaged or unsupported`);
    }
  }

  private spans(text: string, ids: readonly number[]): Token[] {
    const tokens: Token[] = [];
    let end = 0;
    const content: number[] = [];
    for (const id of ids) {
      const special = this.specialIds.has(id);
      const start = end;
      if (!special) {
        content.push(id);
        const prefix = this.tokenizer.decode(content, { skip_special_tokens: true });
        if (text.startsWith(prefix)) end = prefix.length;
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
  maxTokenId(): number {
    let max = -1;
    for (const id of [...this.tokenizer.get_vocab(true).values(), ...this.tokenizer.get_added_tokens_decoder().keys()]) {
      if (!Number.isSafeInteger(id) || id < 0) throw new TokenizerError(`the vocabulary holds the token id ${JSON.stringify(id)}, not a non-negative integer`);
      if (id > max) max = id;
    }
    return max;
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

/** Throws a TokenizerError when the tokenizer can produce ids the model's embedding has no row for. */
export function checkTokenizerVocabulary(tokenizer: TextTokenizer, vocabSize: number, where: string): void {
  const max = tokenizer.maxTokenId();
  if (max >= vocabSize) {
    throw new TokenizerError(`${where} has token ids up to ${max}, but the model's embedding has only ${vocabSize} rows (ids 0 … ${vocabSize - 1}): the tokenizer does not belong to this model`);
  }
}
