import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';

/** Every command of the whole CLI, as `envid --help` would show it. */
describe('envid help', () => {
  it('every command has a one-line summary, a description and examples', async () => {
    const program = await buildProgram([]);
    const problems: string[] = [];
    const paths: string[] = [];
    const visit = (command: Command, path: string[]) => {
      for (const child of command.commands) {
        const name = [...path, child.name()].join(' ');
        paths.push(name);
        let help = '';
        child.configureOutput({ writeOut: (text) => (help += text) });
        child.outputHelp();
        if (!child.summary() || child.summary().includes('\n')) problems.push(`${name}: no one-line summary`);
        if (!child.description()) problems.push(`${name}: no description`);
        if (!help.includes('\nExamples:\n  ')) problems.push(`${name}: no examples`);
        visit(child, [...path, child.name()]);
      }
    };
    visit(program, []);
    expect(problems).toEqual([]);
    // The walk reached every part of the tree, the lazily registered admin groups and providers included.
    expect(paths).toEqual(
      expect.arrayContaining([
        'serve',
        'idp token',
        'idp login azure',
        'idp login aws',
        'idp login gcp',
        'idp login vault',
        'completion',
        'env token',
        'keys rotate',
        'discovery export',
        'audit list',
      ]),
    );
  });
});
