import { Gitpod } from '@gitpod/sdk';

/** A Connect call with plain fetch, for envid methods the SDK does not have. Throws on any error answer. */
export async function connectCall(url: string, token: string, method: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}/api/gitpod.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export const sdkClient = (url: string, bearerToken: string) =>
  new Gitpod({ bearerToken, baseURL: `${url}/api`, maxRetries: 0 });

/**
 * The first steps of a new installation, over the real API: the installation admin creates an
 * organization and its first admin user (Ada) with a personal access token of the organization.
 */
export async function setUpOrganizationThroughApi(
  url: string,
  adminToken: string,
  /** Another e-mail for a second organization's admin (user e-mails are unique in an installation). */
  adminEmail = 'ada@acme.example',
) {
  const { organization } = await sdkClient(url, adminToken).organizations.create({ name: 'Acme' });
  const organizationId: string = organization.id;
  const { user } = await connectCall(url, adminToken, 'UserService/CreateUser', {
    email: adminEmail,
    name: 'Ada',
  });
  await connectCall(url, adminToken, 'OrganizationService/AddMember', {
    organizationId,
    userId: user.id,
    role: 'ORGANIZATION_ROLE_ADMIN',
  });
  const { token: pat } = await connectCall(url, adminToken, 'UserService/CreatePersonalAccessToken', {
    organizationId,
    userId: user.id,
    description: 'e2e',
  });
  return { organizationId, userId: user.id as string, pat: pat as string };
}

/**
 * What a new installation goes through, over the real API: setUpOrganizationThroughApi, then that
 * admin, through the SDK, creates a project with a git initializer, a runner, an environment of the
 * project and its token.
 */
export async function setUpEnvironmentThroughApi(
  url: string,
  adminToken: string,
  adminEmail = 'ada@acme.example',
) {
  const { organizationId, userId, pat } = await setUpOrganizationThroughApi(url, adminToken, adminEmail);
  const admin = sdkClient(url, pat);
  const initializer = { specs: [{ git: { remoteUri: 'https://github.com/acme/app.git' } }] };
  const { project } = await admin.projects.create({ name: 'app', environmentClass: {}, initializer });
  const { runner } = await admin.runners.create({ name: 'eu-1' });
  const { environment } = await admin.environments.createFromProject({
    projectId: project!.id!,
    spec: { machine: { class: runner.runnerId! } },
  });
  const { accessToken } = await admin.environments.createEnvironmentToken({ environmentId: environment.id });
  return {
    organizationId,
    userId,
    pat,
    projectId: project!.id!,
    runnerId: runner.runnerId!,
    environmentId: environment.id,
    environmentToken: accessToken,
  };
}

/**
 * Another project of the same organization (set up by setUpEnvironmentThroughApi), with an environment
 * on the runner and that environment's token: a principal the first project's trust must refuse.
 */
export async function addProjectEnvironmentThroughApi(
  url: string,
  setup: { pat: string; runnerId: string },
  name = 'other',
) {
  const admin = sdkClient(url, setup.pat);
  const initializer = { specs: [{ git: { remoteUri: `https://github.com/acme/${name}.git` } }] };
  const { project } = await admin.projects.create({ name, environmentClass: {}, initializer });
  const { environment } = await admin.environments.createFromProject({
    projectId: project!.id!,
    spec: { machine: { class: setup.runnerId } },
  });
  const { accessToken } = await admin.environments.createEnvironmentToken({ environmentId: environment.id });
  return { projectId: project!.id!, environmentToken: accessToken };
}
