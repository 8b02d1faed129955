import type { Command } from 'commander';

/**
 * A command's flag, declared once: commander registers it (help, errors, completion) and a fast path
 * that skips commander (src/cli/entry.ts) parses the same list with parseFlagsStrictly.
 */
export interface FlagSpec {
  /** The long name without dashes, kebab-case: `output-file`. */
  name: string;
  /** The value's placeholder, e.g. `<path>`; none for a boolean flag. */
  value?: string;
  /** A boolean flag that may also take a value with `=`, e.g. `[format]` for `--decode` / `--decode=jose`. */
  optionalValue?: string;
  /** May be given several times; the values are collected in order. */
  multiple?: true;
  description: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Registers the flags with commander (which hands them to the action in camelCase). */
export function addFlags(command: Command, flags: readonly FlagSpec[]): Command {
  for (const flag of flags) {
    const placeholder = flag.value ?? flag.optionalValue;
    const syntax = placeholder ? `--${flag.name} ${placeholder}` : `--${flag.name}`;
    if (flag.multiple) command.option(syntax, flag.description, collect);
    else command.option(syntax, flag.description);
  }
  return command;
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The flags as commander would hand them over, or undefined when `args` is anything but flags of this
 * list with well-formed values (then the caller lets commander parse them and explain what is wrong).
 * Only `--name value`, `--name=value` and `--name` (a boolean) are taken; a value that starts with `-`
 * is left to commander too, and so is a flag with an optional value followed by a word (commander would
 * take the word as its value). (Not node:util's parseArgs: loading it costs `envid idp token` ~0.8 ms.)
 */
export function parseFlagsStrictly(
  args: string[],
  flags: readonly FlagSpec[],
): Record<string, string | string[] | boolean> | undefined {
  const parsed: Record<string, string | string[] | boolean> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith('--')) return undefined;
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const flag = flags.find((candidate) => candidate.name === name);
    if (!flag) return undefined;
    const key = camelCase(name);
    if (flag.optionalValue) {
      parsed[key] = equals === -1 ? true : arg.slice(equals + 1);
      continue;
    }
    if (!flag.value) {
      if (equals !== -1) return undefined;
      parsed[key] = true;
      continue;
    }
    const value = equals === -1 ? args[++index] : arg.slice(equals + 1);
    if (value === undefined || value.startsWith('-')) return undefined;
    parsed[key] = flag.multiple ? [...((parsed[key] as string[] | undefined) ?? []), value] : value;
  }
  return parsed;
}

/** A relying party's option as commander takes it (`--audience <aud>`, `--force`) as a FlagSpec, for a fast path. */
export function flagSpecOf(option: { flags: string; description: string }): FlagSpec {
  const [syntax = '', value] = option.flags.split(' ');
  const name = syntax.replace(/^--/, '');
  return value === undefined
    ? { name, description: option.description }
    : { name, value, description: option.description };
}
