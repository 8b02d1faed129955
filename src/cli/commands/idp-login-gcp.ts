import type { Command } from 'commander';
import { addConnectionOptions } from '../config/load-connection.ts';
import { formatExamples } from './help-examples.ts';

/** `envid idp login gcp` and its executable credential source `envid idp gcloud-token`. */
export function registerGcpLogin(login: Command, idp: Command): void {
  addConnectionOptions(
    login
      .command('gcp')
      .summary('Google Cloud: workload identity federation for gcloud and the client libraries')
      .description(
        'Exchanges a fresh envid token at Google STS (and impersonates --service-account) at once, so that a ' +
          'broken trust is reported now; then writes an external_account credential configuration whose ' +
          'executable source is `envid idp gcloud-token` as the application default credentials ' +
          '($CLOUDSDK_CONFIG or ~/.config/gcloud/application_default_credentials.json), logs gcloud in with it ' +
          '(`gcloud auth login --cred-file`) when gcloud is installed, and sets ' +
          'GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 for new shells. See docs/providers/gcp.md.',
      )
      .option(
        '--workload-identity-provider <name>',
        'projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> (env IDP_GCP_WORKLOAD_IDENTITY_PROVIDER)',
      )
      .option('--service-account <email>', 'impersonate this service account (env IDP_GCP_SERVICE_ACCOUNT)')
      .option(
        '--project <id>',
        'project ID for the tools: GOOGLE_CLOUD_PROJECT and CLOUDSDK_CORE_PROJECT for new shells (env IDP_GCP_PROJECT)',
      )
      .option(
        '--audience <aud>',
        'aud of the envid token, one of the provider’s allowed audiences (default: //iam.googleapis.com/<provider name>)',
      )
      .option('--no-gcloud', 'do not log gcloud in, even when it is installed')
      .option('--sts-endpoint <url>', 'for testing: Google STS token URL (env ENVID_GCP_STS_URL)')
      .option(
        '--iam-credentials-endpoint <url>',
        'for testing: IAM Credentials API base URL (env ENVID_GCP_IAM_CREDENTIALS_URL)',
      ),
  )
    .addHelpText(
      'after',
      formatExamples([
        'envid idp login gcp --workload-identity-provider projects/123456789012/locations/global/workloadIdentityPools/envid/providers/envid',
        'envid idp login gcp --workload-identity-provider projects/…/providers/envid --service-account deploy@my-project.iam.gserviceaccount.com',
      ]),
    )
    .action(async (flags) => {
      const { runGcpLogin } = await import('../../providers/gcp-login.ts');
      await runGcpLogin(flags, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });

  addConnectionOptions(
    idp
      .command('gcloud-token')
      .summary('Google’s executable credential source: print a token in Google’s JSON format')
      .description(
        'Run by Google’s client libraries and gcloud (the credential configuration `envid idp login gcp` writes), ' +
          'not by hand: asks envid for a token for --audience, else GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE, prints ' +
          'Google’s executable response (version 1) and writes it to GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE when set.',
      )
      .option('--audience <aud>', 'aud of the token (default: GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE)'),
  )
    .addHelpText(
      'after',
      formatExamples([
        '# what Google’s libraries run, with the variables they set:',
        'GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/envid/providers/envid \\',
        '  envid idp gcloud-token',
      ]),
    )
    .action(async (flags) => {
      const { runGcloudToken } = await import('../../providers/gcp-executable.ts');
      process.exitCode = await runGcloudToken(flags, process.env, process.stdout);
    });
}
