/** GetAuthenticatedIdentity with `token`, answered as the raw response (its status is what tests check). */
export const whoAmI = (url: string, token: string): Promise<Response> =>
  fetch(`${url}/api/gitpod.v1.IdentityService/GetAuthenticatedIdentity`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
