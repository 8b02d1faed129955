import type { RelyingParty } from '../relying-party.ts';
import { googleLimits } from './limits.ts';
import { googleTokenProblems } from './rules.ts';
import { gcpTrust } from './trust.ts';

/** Google Cloud workload identity federation for gcloud and the client libraries (docs/providers/gcp.md). */
export const gcp: RelyingParty = {
  id: 'gcp',
  title: 'Google Cloud',
  docs: 'docs/providers/gcp.md',
  defaultAudience: '//iam.googleapis.com/<workload identity provider>',
  limits: googleLimits,
  check: { load: async () => (await import('./check.ts')).googleTrustCheck },
  rules: { tokenProblems: googleTokenProblems },
  login: {
    name: 'gcp',
    summary: 'Google Cloud: workload identity federation for gcloud and the client libraries',
    description:
      'Exchanges a fresh envid token at Google STS (and impersonates --service-account) at once, so that a ' +
      'broken trust is reported now; then writes an external_account credential configuration whose ' +
      'executable source is `envid idp gcloud-token` as the application default credentials ' +
      '($CLOUDSDK_CONFIG or ~/.config/gcloud/application_default_credentials.json), logs gcloud in with it ' +
      '(`gcloud auth login --cred-file`) when gcloud is installed, and sets ' +
      'GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 for new shells. See docs/providers/gcp.md.',
    connectionOptions: 'last',
    options: [
      {
        flags: '--workload-identity-provider <name>',
        description:
          'projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> (env IDP_GCP_WORKLOAD_IDENTITY_PROVIDER)',
      },
      {
        flags: '--service-account <email>',
        description: 'impersonate this service account (env IDP_GCP_SERVICE_ACCOUNT)',
      },
      {
        flags: '--project <id>',
        description:
          'project ID for the tools: GOOGLE_CLOUD_PROJECT and CLOUDSDK_CORE_PROJECT for new shells (env IDP_GCP_PROJECT)',
      },
      {
        flags: '--audience <aud>',
        description:
          'aud of the envid token, one of the provider’s allowed audiences (default: //iam.googleapis.com/<provider name>)',
      },
      { flags: '--no-gcloud', description: 'do not log gcloud in, even when it is installed' },
      {
        flags: '--sts-endpoint <url>',
        description: 'for testing: Google STS token URL (env ENVID_GCP_STS_URL)',
      },
      {
        flags: '--iam-credentials-endpoint <url>',
        description: 'for testing: IAM Credentials API base URL (env ENVID_GCP_IAM_CREDENTIALS_URL)',
      },
    ],
    examples: [
      'envid idp login gcp --workload-identity-provider projects/123456789012/locations/global/workloadIdentityPools/envid/providers/envid',
      'envid idp login gcp --workload-identity-provider projects/…/providers/envid --service-account deploy@my-project.iam.gserviceaccount.com',
    ],
    run: async (flags, context) => {
      const { runGcpLogin } = await import('./login.ts');
      await runGcpLogin(flags, context);
      return undefined;
    },
  },
  commands: [
    {
      name: 'gcloud-token',
      summary: 'Google’s executable credential source: print a token in Google’s JSON format',
      description:
        'Run by Google’s client libraries and gcloud (the credential configuration `envid idp login gcp` writes), ' +
        'not by hand: asks envid for a token for --audience, else GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE, prints ' +
        'Google’s executable response (version 1) and writes it to GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE when set.',
      connectionOptions: 'last',
      options: [
        {
          flags: '--audience <aud>',
          description: 'aud of the token (default: GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE)',
        },
      ],
      examples: [
        '# what Google’s libraries run, with the variables they set:',
        'GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/envid/providers/envid \\',
        '  envid idp gcloud-token',
      ],
      run: async (flags, context) => {
        const { runGcloudToken } = await import('./gcloud-token.ts');
        return runGcloudToken(flags, context);
      },
    },
  ],
  trust: gcpTrust,
};
