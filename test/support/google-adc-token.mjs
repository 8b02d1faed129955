// Run as a child process by the Google e2e test, with HOME/CLOUDSDK_CONFIG pointing at what
// `envid idp login gcp` wrote: google-auth-library finds the application default credentials by itself
// (no GOOGLE_APPLICATION_CREDENTIALS), runs their executable source and prints what it got.
import { GoogleAuth } from 'google-auth-library';

try {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const client = await auth.getClient();
  const { token } = await client.getAccessToken();
  process.stdout.write(`${JSON.stringify({ ok: true, token, client: client.constructor.name })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, message: error.message })}\n`);
}
