/**
 * A setting of `envid idp trust <id>` (a flag's value), or a placeholder in capitals for the user to
 * replace, which the envelope's warnings then name (`placeholders`).
 */
export function trustSetting(
  settings: Record<string, unknown>,
  name: string,
  placeholder: string,
  placeholders: string[],
): string {
  const value = settings[name];
  if (typeof value === 'string' && value !== '') return value;
  if (!placeholders.includes(placeholder)) placeholders.push(placeholder);
  return placeholder;
}

/** The warning naming what is left to fill in, when anything is. */
export function placeholderWarnings(placeholders: readonly string[], flags: string): string[] {
  if (placeholders.length === 0) return [];
  return [`replace ${placeholders.join(', ')} in the commands below, or pass ${flags}`];
}
