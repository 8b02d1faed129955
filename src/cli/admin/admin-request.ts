/**
 * What an admin command asks of the server and how its answer is shown, as plain data: the flag parsing
 * of each command builds one (tested apart from any server), run-admin-request.ts carries it out.
 */

/** Table and field layouts of the API's objects (views.ts). */
export type ViewName =
  | 'organization'
  | 'member'
  | 'user'
  | 'authenticatedUser'
  | 'serviceAccount'
  | 'serviceAccountToken'
  | 'personalAccessToken'
  | 'runner'
  | 'runnerToken'
  | 'project'
  | 'environment'
  | 'environmentToken'
  | 'signingKey'
  | 'auditEvent'
  | 'invite'
  | 'inviteSummary'
  | 'ssoConfiguration'
  | 'audienceProfile';

/** Answers shown by a renderer of their own (render.ts). */
export type RenderName = 'oidcConfig' | 'oidcPreview' | 'keyChange';

export type AdminOutput =
  /** One object: `answer[key]` (the whole answer without `key`) as `label: value` lines. */
  | { kind: 'object'; key?: string; view: ViewName }
  /** A list: `answer[key]` as a table; with `all`, every page. */
  | { kind: 'list'; key: string; view: ViewName; all: boolean }
  /** A new secret, `answer[field]`, printed once; `what` names it in the warning (`{id}` ← answer[idField]). */
  | { kind: 'secret'; field: string; what: string; idField?: string }
  /** `export ENVID_HOST=… ENVID_TOKEN=…` lines for a shell; `host` defaults to the server asked. */
  | { kind: 'export'; field: string; what: string; idField?: string; host?: string }
  /** Nothing to show but that it was done. */
  | { kind: 'done'; message: string }
  | { kind: 'render'; render: RenderName };

export interface AdminRequest {
  /** `Service/Method`, e.g. `OrganizationService/GetOrganization`. */
  method: string;
  body: Record<string, unknown>;
  /**
   * When the body has no organizationId: take the credential's organization. `required`: the API needs
   * one, so a credential without an organization (the installation admin) must pass --org.
   */
  defaultOrganization?: 'required' | 'optional';
  /** How the command names the organization, for the error when it is missing (default `--org`). */
  organizationFlag?: string;
  /** The body's `userId` is the credential's own user (its subject), e.g. to leave an organization. */
  selfUser?: true;
  output: AdminOutput;
  json: boolean;
  /**
   * The answer's boolean `field` says whether the server did what was asked; when it did not, the
   * command exits with ExitCode.notDone and `<notDone>: <the answer's message>` on stderr.
   */
  doneWhen?: { field: string; notDone: string };
}
