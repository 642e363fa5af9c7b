#!/usr/bin/env -S node --
/**
 * `tricloud` — the one CLI. Each subcommand lives in `scripts/commands/<name>.ts` and is loaded only when
 * invoked, so `tricloud --help` stays instant and a command's dependencies load only for that command.
 */
import { commands } from './commands/index.ts';

const [name, ...argv] = process.argv.slice(2);

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return `Usage: tricloud <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'tricloud <command> --help' for a command's options.`;
}

if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exit(name === undefined ? 1 : 0);
}

const command = commands[name];
if (command === undefined) {
  console.error(`tricloud: unknown command '${name}'.\n\n${usage()}`);
  process.exit(2);
}

try {
  const mod = await command.load();
  const code = await mod.run(argv);
  process.exitCode = code;
} catch (error) {
  console.error(`tricloud ${name}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
