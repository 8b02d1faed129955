import { usageError } from '../../shared/exit-codes.ts';
import {
  isObject,
  requireString,
  stringList,
  type TrustInput,
  unrecognized,
  unwrapTrustInput,
} from '../support/trust-input.ts';
import { awsDefaultAudience } from './rules.ts';

/** An IAM OIDC identity provider: its URL as IAM stores it (no scheme) and its client IDs. */
export interface IamOidcProvider {
  url: string;
  /** Undefined when only a trust policy was given: the policy's `aud` conditions stand in for it. */
  clientIds?: string[];
}

/** One condition of a statement: `"StringLike": {"host/path:sub": ["org:*"]}`. */
export interface IamCondition {
  /** As written: `StringEquals`, `ForAnyValue:StringLike`, `StringNotEqualsIfExists`, … */
  operator: string;
  key: string;
  values: string[];
}

export interface IamStatement {
  index: number;
  effect: 'Allow' | 'Deny';
  /** Federated principals (provider ARNs). */
  federated: string[];
  actions: string[];
  conditions: IamCondition[];
}

export interface AwsTrust {
  providers: IamOidcProvider[];
  statements: IamStatement[];
}

const accepted =
  'an IAM role trust policy document (or `aws iam get-role` output), `aws iam get-open-id-connect-provider` output, or `envid idp trust aws` output';

/** The operators idp check evaluates (IAM's string operators, with ForAnyValue/ForAllValues and IfExists). */
const operatorPattern =
  /^(?:(ForAnyValue|ForAllValues):)?(StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|StringLike|StringNotLike)(IfExists)?$/;

/**
 * The role trust policy and IAM OIDC providers `envid idp check aws` evaluates: from `--config` files
 * (a policy document, `aws iam get-role`'s `{"Role": {"AssumeRolePolicyDocument": …}}`, `aws iam
 * get-open-id-connect-provider`'s `{"Url", "ClientIDList"}`, `envid idp trust aws`'s envelope), else a
 * policy built from --issuer, --subject or --subject-prefix, and --audience.
 */
export function readAwsTrust(input: TrustInput): AwsTrust {
  const { documents, flags } = unwrapTrustInput('aws', input);
  const trust: AwsTrust = { providers: [], statements: [] };
  for (const { source, value } of documents) {
    if (!isObject(value)) {
      if (source.includes(' documents.')) continue;
      throw unrecognized(source, 'AWS', accepted);
    }
    const role = isObject(value['Role']) ? value['Role'] : undefined;
    const policy = role ? role['AssumeRolePolicyDocument'] : value;
    const decoded = typeof policy === 'string' ? parseEncodedPolicy(policy, source) : policy;
    if (isObject(decoded) && 'Statement' in decoded) {
      const statements = Array.isArray(decoded['Statement']) ? decoded['Statement'] : [decoded['Statement']];
      statements.forEach((statement, index) => {
        trust.statements.push(readStatement(statement, `${source} Statement[${index}]`, index));
      });
    } else if (typeof value['Url'] === 'string') {
      // `get-open-id-connect-provider` shows the URL without its scheme; `create-open-id-connect-provider`'s
      // input (what `envid idp trust aws` prints) has it: https, or http for an issuer on this machine.
      trust.providers.push({
        url: value['Url'].replace(/^https?:\/\//, ''),
        clientIds: stringList(value['ClientIDList'] ?? [], source, 'ClientIDList'),
      });
    } else if (!source.includes(' documents.')) {
      throw unrecognized(source, 'AWS', accepted);
    }
  }
  if (trust.statements.length === 0) {
    if (trust.providers.length > 0 && flags.subject === undefined && flags.subjectPrefix === undefined)
      throw usageError(
        'an IAM OIDC provider alone does not say which tokens a role trusts: add its trust policy (`aws iam get-role --role-name <role>`) or --subject / --subject-prefix',
      );
    const built = trustFromFlags(flags);
    trust.statements.push(...built.statements);
    if (trust.providers.length === 0) trust.providers.push(...built.providers);
  }
  // Without the provider's own document, the providers are those the policy names as principals.
  if (trust.providers.length === 0) {
    for (const statement of trust.statements)
      for (const arn of statement.federated) {
        const url = providerOfArn(arn);
        if (url !== undefined && !trust.providers.some((provider) => provider.url === url))
          trust.providers.push({ url });
      }
  }
  return trust;
}

/** `arn:aws:iam::<account>:oidc-provider/<host/path>` → `<host/path>`. */
export function providerOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(arn)?.[1];
}

function trustFromFlags(flags: TrustInput['flags']): AwsTrust {
  if (flags.issuer === undefined || (flags.subject === undefined && flags.subjectPrefix === undefined))
    throw usageError(`give --subject or --subject-prefix (and --issuer), or --config with ${accepted}`);
  const url = flags.issuer.replace(/^https?:\/\//, '');
  const audience = flags.audience ?? awsDefaultAudience;
  const conditions: IamCondition[] = [{ operator: 'StringEquals', key: `${url}:aud`, values: [audience] }];
  conditions.push(
    flags.subject !== undefined
      ? { operator: 'StringEquals', key: `${url}:sub`, values: [flags.subject] }
      : { operator: 'StringLike', key: `${url}:sub`, values: [`${flags.subjectPrefix}*`] },
  );
  return {
    providers: [{ url, clientIds: [audience] }],
    statements: [
      {
        index: 0,
        effect: 'Allow',
        federated: [`arn:aws:iam::000000000000:oidc-provider/${url}`],
        actions: ['sts:AssumeRoleWithWebIdentity'],
        conditions,
      },
    ],
  };
}

function parseEncodedPolicy(text: string, source: string): unknown {
  try {
    return JSON.parse(text.startsWith('%') ? decodeURIComponent(text) : text);
  } catch {
    throw usageError(`${source}: AssumeRolePolicyDocument is not a JSON policy document`);
  }
}

function readStatement(statement: unknown, source: string, index: number): IamStatement {
  if (!isObject(statement)) throw usageError(`${source}: must be an object`);
  const effect = statement['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny')
    throw usageError(`${source}: Effect must be "Allow" or "Deny", got ${JSON.stringify(effect)}`);
  const principal = statement['Principal'];
  const federated =
    isObject(principal) && principal['Federated'] !== undefined
      ? stringList(principal['Federated'], source, 'Principal.Federated')
      : [];
  const actions = stringList(statement['Action'] ?? [], source, 'Action');
  const conditions: IamCondition[] = [];
  const condition = statement['Condition'] ?? {};
  if (!isObject(condition)) throw usageError(`${source}: Condition must be an object`);
  for (const [operator, block] of Object.entries(condition)) {
    if (!operatorPattern.test(operator))
      throw usageError(
        `${source}: Condition operator ${operator} is not one idp check evaluates: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringLike, StringNotLike (with ForAnyValue:/ForAllValues: and IfExists)`,
      );
    if (!isObject(block)) throw usageError(`${source}: Condition.${operator} must be an object`);
    for (const [key, values] of Object.entries(block))
      conditions.push({
        operator,
        key: requireString(key, source, 'condition key'),
        values: stringList(values, source, `Condition.${operator}.${key}`),
      });
  }
  return { index, effect, federated, actions, conditions };
}
