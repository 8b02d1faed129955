/**
 * Which e-mail addresses envid takes. The part before `@` is an RFC 5322 dot-atom: atoms of letters,
 * digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~, joined by single dots (so `ada%dev@…` and
 * `o'brien+ci@…` are addresses). Quoted local parts, spaces, control characters and non-ASCII text are
 * refused: mail systems and relying parties handle them badly, and a claim holding them surprises.
 * The domain is host names' letters, digits and hyphens, with a top-level label of letters.
 */
const atext = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]";
const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const emailAddressPattern = new RegExp(
  `^${atext}+(?:\\.${atext}+)*@(?:${label}\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])$`,
);

/** RFC 5321's limits: a whole address (a forward path less its brackets) and its local part. */
export const maxEmailAddressLength = 254;
export const maxLocalPartLength = 64;

/** What an address may hold, for error messages. */
export const emailAddressRule =
  "must be an e-mail address such as ada@example.com: before the @, letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~, with single dots between them";
