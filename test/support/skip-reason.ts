/**
 * The title of a test or suite that runs only when `missing` is undefined; otherwise the title says
 * why it skips, and so does a line on stderr (the default reporter does not list skipped tests).
 *
 *   it.skipIf(noAws !== undefined)(titled('the aws CLI reads the profile', noAws), …)
 */
export function titled(title: string, missing: string | undefined): string {
  if (missing === undefined) return title;
  console.warn(`envid tests: skipping "${title}": ${missing}`);
  return `${title} (skipped: ${missing})`;
}
