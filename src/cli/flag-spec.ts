import { parseArgs } from 'node:util';
import type { Command } from 'commander';

/**
 * A command's flag, declared once: commander registers it (help, errors, completion) and a fast path
 * that skips commander (src/cli/entry.ts) parses the same list with node:util's parseArgs.
 */
export interface FlagSpec {
  /** The long name without dashes, kebab-case: `output-file`. */
  name: string;
  /** The value's placeholder, e.g. `<path>`; none for a boolean flag. */
  value?: string;
  /** May be given several times; the values are collected in order. */
  multiple?: true;
  description: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Registers the flags with commander (which hands them to the action in camelCase). */
export function addFlags(command: Command, flags: readonly FlagSpec[]): Command {
  for (const flag of flags) {
    const syntax = flag.value ? `--${flag.name} ${flag.value}` : `--${flag.name}`;
    if (flag.multiple) command.option(syntax, flag.description, collect);
    else command.option(syntax, flag.description);
  }
  return command;
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The flags as commander would hand them over, or undefined when `args` is anything but flags of this
 * list with well-formed values (then the caller lets commander parse them and explain what is wrong).
 */
export function parseFlagsStrictly(
  args: string[],
  flags: readonly FlagSpec[],
): Record<string, string | string[] | boolean> | undefined {
  const options = Object.fromEntries(
    flags.map((flag) => [
      flag.name,
      { type: flag.value ? ('string' as const) : ('boolean' as const), multiple: flag.multiple === true },
    ]),
  );
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch {
    return undefined;
  }
  const parsed: Record<string, string | string[] | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) parsed[camelCase(name)] = value as string | string[] | boolean;
  }
  return parsed;
}
