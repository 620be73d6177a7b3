import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { apiUrlOfStack, resolveApiUrl, resolveRegion } from '../../cli/connection';
import { CliError } from '../../cli/errors';
import { resolveCredentials } from '../../cli/client';

const cfn = mockClient(CloudFormationClient);
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const DEPLOYED = 'https://abc123.execute-api.eu-central-1.amazonaws.com/v1/';
beforeEach(() => cfn.reset());

describe('finding the broker API', () => {
  it('reads the ApiUrl output of a deployed stack (--stack)', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'SnowballCredentialBroker' }).resolves({
      Stacks: [{ StackName: 'SnowballCredentialBroker', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'ApiUrl', OutputValue: DEPLOYED }] }],
    });
    expect(await apiUrlOfStack('SnowballCredentialBroker', 'eu-central-1', creds, new CloudFormationClient({ region: 'eu-central-1', credentials: creds }))).toBe(DEPLOYED);
  });

  it('says clearly when the stack does not exist or is not a broker', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id X does not exist'), { name: 'ValidationError' }));
    await expect(apiUrlOfStack('X', 'eu-central-1', creds, new CloudFormationClient({ region: 'eu-central-1', credentials: creds }))).rejects.toThrow(/no stack "X" in eu-central-1/);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Y', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(apiUrlOfStack('Y', 'eu-central-1', creds, new CloudFormationClient({ region: 'eu-central-1', credentials: creds }))).rejects.toThrow(/no ApiUrl output/);
  });

  it('prefers --api-url, then SNOWBALL_BROKER_API_URL, and asks for one when neither nor --stack is given', async () => {
    const never = async () => { throw new Error('no credentials needed'); };
    expect(await resolveApiUrl({ apiUrl: DEPLOYED }, { SNOWBALL_BROKER_API_URL: 'http://other/' }, 'r', never)).toBe(DEPLOYED);
    expect(await resolveApiUrl({}, { SNOWBALL_BROKER_API_URL: DEPLOYED }, 'r', never)).toBe(DEPLOYED);
    await expect(resolveApiUrl({}, {}, 'r', never)).rejects.toThrow(CliError);
  });

  it('takes the region from --region, the environment, then the deployed API URL', async () => {
    expect(await resolveRegion({ region: 'us-west-2', apiUrl: DEPLOYED }, { AWS_REGION: 'eu-west-1' })).toBe('us-west-2');
    expect(await resolveRegion({ apiUrl: DEPLOYED }, { AWS_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(await resolveRegion({ apiUrl: DEPLOYED }, { AWS_CONFIG_FILE: '/nonexistent' })).toBe('eu-central-1');
  });
});

describe('credentials', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };

  it('takes keys from the environment directly, as the standard chain would first', async () => {
    expect(await resolveCredentials(undefined, keys)).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('leaves a named profile (--profile or AWS_PROFILE) to the full chain, as the SDK does', async () => {
    const home = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
    Object.assign(process.env, home);
    await expect(resolveCredentials('field', keys)).rejects.toThrow(/no AWS credentials found in profile "field"/);
  });
});
