import { describe, expect, it } from 'vitest';
import { makeTinyTokenizer } from '../../testing/tinyCheckpoint';
import { TextTokenizer } from './tokenizer';

describe('TextTokenizer: BOS/EOS as transformers applies them', () => {
  // Mistral's tokenizer.json prepends <s> with TemplateProcessing; its class is LlamaTokenizer.
  const { tokenizerJson, tokenizerConfig } = makeTinyTokenizer('mistral', 320);
  const ids = (config: Record<string, unknown>, text = 'the fox') => new TextTokenizer(tokenizerJson, config).encode(text);
  const bos = new TextTokenizer(tokenizerJson, tokenizerConfig).textToId('<s>');
  const eos = new TextTokenizer(tokenizerJson, tokenizerConfig).textToId('</s>');

  it('Llama/Gemma classes rebuild the post-processor from add_bos_token (default true) and add_eos_token', () => {
    expect(ids(tokenizerConfig)[0]).toMatchObject({ id: bos, special: true, start: 0, end: 0 });
    expect(ids({ ...tokenizerConfig, add_bos_token: undefined })[0]!.id).toBe(bos);
    expect(ids({ ...tokenizerConfig, add_bos_token: false }).some((t) => t.special)).toBe(false);
    const withEos = ids({ ...tokenizerConfig, add_eos_token: true });
    expect(withEos.at(-1)).toMatchObject({ id: eos, special: true, start: 7, end: 7 });
    expect(withEos[0]!.id).toBe(bos);
  });

  it("other classes keep the file's post-processor", () => {
    expect(ids({ ...tokenizerConfig, tokenizer_class: 'PreTrainedTokenizerFast', add_bos_token: false })[0]!.id).toBe(bos);
  });

  it('names the problem when the config asks for a BOS the vocabulary lacks', () => {
    expect(() => ids({ ...tokenizerConfig, bos_token: '<nope>' })).toThrow(/add_bos_token but its bos_token is not a token/);
  });
});
