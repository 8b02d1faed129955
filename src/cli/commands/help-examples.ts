/** The `Examples:` block at the end of a command's help, one example a line. */
export function formatExamples(examples: string[]): string {
  return `\nExamples:\n${examples.map((example) => `  ${example}\n`).join('')}`;
}
