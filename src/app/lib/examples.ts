// The "Try an example" gallery: prompts that show what the demo model does (it copies answers from its
// context past same-kind distractors, resolves indirect objects, continues repeated lists, agrees verbs),
// each with the answer the demo model gives and one line on what to look for in the heatmap. The data
// lives with the model (models/demo/examples.json), whose test pins every answer through the bundle.

import gallery from '../../../models/demo/examples.json';

export interface Example {
  id: string;
  title: string;
  prompt: string;
  /** The demo model's top prediction (first token of the answer). */
  answer: string;
  /** What to look for in the heatmap. */
  look: string;
}

export const EXAMPLES: readonly Example[] = gallery.examples;

/** The example whose prompt is exactly this text, if any. */
export function exampleFor(prompt: string): Example | undefined {
  return EXAMPLES.find((e) => e.prompt === prompt);
}
