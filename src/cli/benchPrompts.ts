// Benchmark prompts of an exact token length, shared by the Node and the browser benchmark.

import type { TextTokenizer } from '../engine/tokenizer/tokenizer';

const TEXT =
  'The old lighthouse keeper climbed the stairs every evening to light the lamp. Ships passing the rocky coast ' +
  'depended on the beam, and sailors told stories of the keeper who never missed a night, even in the worst storms. ' +
  'One winter the supply boat failed to arrive, and the keeper rationed oil, lighting the lamp for fewer hours each night. ' +
  'When the boat finally came, the crew found him asleep beside the lamp, which was still burning. ';

/** A prompt of exactly `n` tokens for this tokenizer (repeating the text as needed). */
export function promptOfLength(tokenizer: TextTokenizer, n: number): string {
  let text = TEXT;
  while (tokenizer.encode(text).length < n) text += TEXT;
  const tokens = tokenizer.encode(text);
  return text.slice(0, tokens[n - 1].end);
}
