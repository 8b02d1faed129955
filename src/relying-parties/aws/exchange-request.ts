/** What an STS exchange sends, and what its refusal is explained with (explain.ts). */
export interface AssumeRoleRequest {
  endpoint: string;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  token: string;
  /** The audience the token was asked for, to explain an audience refusal. */
  audience: string;
}
