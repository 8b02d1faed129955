import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import { forwardedClaimsOf } from '../core/sso/forwarded-claims.ts';
import { evaluateCel } from '../shared/evaluate-cel.ts';
import type { SsoConfiguration, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { emailDomain } from './joining.ts';
import { applySignInClaims } from './sso-claims.ts';

/**
 * Who a verified upstream ID token signs in (docs/decisions/0180-sso-sign-in.md): the configuration's
 * CEL rule admits the claims; the user is found by (issuer, subject), or created when no account has
 * the address yet (never found by e-mail alone: a second provider claiming an address cannot take the
 * account over); a verified address at one of the configuration's domains joins its organization.
 */

/** A refused sign-in; the reason is shown to the browser and kept in the audit log. */
export class SignInRefused extends Error {
  override readonly name = 'SignInRefused';
}

export interface AdmittedUser {
  user: User;
  userCreated: boolean;
  joined: boolean;
}

function checkAdmissionRule(config: SsoConfiguration, claims: Record<string, unknown>): void {
  if (config.claimsExpression === '') return;
  const result = evaluateCel(config.claimsExpression, { claims });
  if (!result.ok) {
    throw new SignInRefused(
      `the organization's admission rule could not be evaluated on your claims (${result.error}); ask an admin of the organization`,
    );
  }
  if (result.value !== true) {
    throw new SignInRefused(
      `the organization's admission rule (${config.claimsExpression}) does not admit you; ask an admin of the organization`,
    );
  }
}

export async function admitSsoUser(
  store: Store,
  clock: Clock,
  config: SsoConfiguration,
  claims: Record<string, unknown>,
): Promise<AdmittedUser> {
  const subject = claims.sub;
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  if (typeof subject !== 'string' || subject === '')
    throw new SignInRefused('the ID token has no subject (sub)');
  if (!email?.includes('@')) {
    throw new SignInRefused('the ID token has no e-mail address: the provider must release the email claim');
  }
  checkAdmissionRule(config, claims);
  // Entra ID sends no email_verified; its optional claim xms_edov says the domain's owner verified it.
  const emailVerified = claims.email_verified === true || claims.xms_edov === true;
  const issuer = config.issuerUrl;
  return store.transaction(async (tx) => {
    const now = clock.now();
    const identity = await tx.userIdentities.findOne({ issuer, subject });
    let user: User;
    let userCreated = false;
    if (identity) user = await tx.users.get(identity.userId);
    else {
      if (await tx.users.findOne({ email })) {
        throw new SignInRefused(
          `an envid account with the address ${email} already exists and is not linked to ${issuer}: ` +
            'an address alone never signs anyone into an account; sign in the way that account was made',
        );
      }
      const name = [claims.name, claims.preferred_username].find((n) => typeof n === 'string' && n !== '');
      user = await tx.users.insert({
        id: newId(),
        email,
        name: (name as string | undefined) ?? email,
        emailVerified,
        createdAt: now,
      });
      await tx.userIdentities.insert({ id: newId(), userId: user.id, issuer, subject, createdAt: now });
      userCreated = true;
    }
    let joined = false;
    const target = { organizationId: config.organizationId, userId: user.id };
    if (
      emailVerified &&
      config.emailDomains.includes(emailDomain(email)) &&
      !(await tx.memberships.findOne(target))
    ) {
      await tx.memberships.insert({ id: newId(), ...target, role: 'member', createdAt: now });
      joined = true;
    }
    await applySignInClaims(tx, clock, {
      userId: user.id,
      issuer,
      claims: forwardedClaimsOf(claims, config.forwardedClaims),
    });
    return { user: await tx.users.get(user.id), userCreated, joined };
  });
}
