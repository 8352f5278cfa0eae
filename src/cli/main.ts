// The `heta` command line: one engine, driven from Node.

import { attributeCommand } from './attribute';
import { convertCommand } from './convert';
import { evalCommand } from './eval';
import { lmCheckCommand } from './lmCheck';

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  convert: { run: convertCommand, help: 'convert <checkpoint-dir> <bundle-dir> [--quant none|q8|q4] [--force]  compile a Hugging Face checkpoint' },
  'lm-check': { run: lmCheckCommand, help: 'lm-check [--model <bundle-dir>] [--windows 200] [--heldout <items.jsonl>] [--json <file>]  perplexity, held-out copy accuracy per form, greedy samples' },
  eval: { run: evalCommand, help: 'eval --model <bundle-dir> --dataset <file> [--methods heta,ig,...] [--limit N] [--json <file> [--resume]]  compare methods' },
  attribute: { run: attributeCommand, help: 'attribute --model <bundle-dir> --prompt <text> [--target <tok> | --target-pos <n>] [--json <file>]  explain a prediction' },
};

function usage(): string {
  return ['usage: heta <command> [options]', '', ...Object.entries(commands).map(([, c]) => `  heta ${c.help}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command '${name}'\n\n${usage()}`);
    return 1;
  }
  try {
    await command.run(rest);
    return Number(process.exitCode ?? 0); // e.g. 130 after an interrupted eval
  } catch (e) {
    console.error(`heta ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return process.exitCode && process.exitCode !== 0 ? Number(process.exitCode) : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
