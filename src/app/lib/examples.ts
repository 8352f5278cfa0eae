// The "Try an example" gallery: prompts that show what the demo model does (it copies answers from its
// context past same-kind distractors, resolves indirect objects, continues repeated lists, agrees verbs),
// each with the answer the demo model gives and one line on what to look for in the heatmap. The demo
// model's test (src/engine/model/demoModel.test.ts) pins these answers through the shipped bundle.

export interface Example {
  id: string;
  title: string;
  prompt: string;
  /** The demo model's top prediction (first token of the answer). */
  answer: string;
  /** What to look for in the heatmap. */
  look: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    id: 'copy-distractor',
    title: 'Copy past a distractor',
    prompt: 'Bram Osei keeps a copper kettle in the cellar. <s> Ilse Marsh keeps a brass lantern in the attic. <s> Question: What does Ilse keep in the attic? Answer:',
    answer: ' brass',
    look: 'The answer comes from the second sentence: "Ilse", "brass" and "attic" should outweigh Bram\'s sentence of the same shape.',
  },
  {
    id: 'colour',
    title: 'What colour?',
    prompt: "Nora's bicycle is green. Tomas's bicycle is red. Question: What colour is Nora's bicycle? Answer:",
    answer: ' green',
    look: '"green" and Nora\'s name should be lit; "red" is the same-kind distractor the model has to skip.',
  },
  {
    id: 'pet-name',
    title: 'What is the name of…',
    prompt: "Ada has a dog named Biscuit. Leo has a dog named Pepper. Question: What is the name of Leo's dog? Answer:",
    answer: ' Pepper',
    look: 'The model copies "Pepper", not "Biscuit": look for "Leo" in the question and in the second sentence.',
  },
  {
    id: 'how-many',
    title: 'How many?',
    prompt: 'Grace bought 12 apples at the market. Felix bought 40 apples at the market. Question: How many apples did Felix buy? Answer:',
    answer: ' 40',
    look: 'Two numbers of the same kind: the one next to "Felix" should carry the attribution.',
  },
  {
    id: 'where',
    title: 'Where?',
    prompt: 'Omar Khan lives in Lisbon. Lena Novak lives in Kyoto. Question: Where does Lena live? Answer:',
    answer: ' Kyoto',
    look: 'Click "Kyoto" and "Lisbon" in the heatmap and compare their S and M in the inspector.',
  },
  {
    id: 'indirect-object',
    title: 'Indirect object',
    prompt: 'When Clara and Otto went to the harbor, Otto gave a lantern to',
    answer: ' Clara',
    look: 'The model names the person who is not repeated: the first "Clara" and the repeated "Otto" both matter.',
  },
  {
    id: 'repetition',
    title: 'Repeated list',
    prompt: 'The list reads: Oslo, Lima, Porto, Accra, Dublin. Once more, the list reads: Oslo, Lima, Porto,',
    answer: ' Accra',
    look: 'Induction: the first "Porto" and the "Accra" after it light up, the token the model copies from.',
  },
  {
    id: 'agreement',
    title: 'Agreement past a distractor',
    prompt: 'The keys to the old cabinet',
    answer: ' have',
    look: 'A plural verb follows although the nearest noun is singular: compare "keys" with "cabinet".',
  },
];

/** The example whose prompt is exactly this text, if any. */
export function exampleFor(prompt: string): Example | undefined {
  return EXAMPLES.find((e) => e.prompt === prompt);
}
