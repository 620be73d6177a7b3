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
      Stacks: [
        {
          StackName: 'SnowballCredentialBroker',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'ApiUrl', OutputValue: DEPLOYED }],
        },
      ],
    });
    expect(
      await apiUrlOfStack(
        'SnowballCredentialBroker',
        'eu-central-1',
        creds,
        new CloudFormationClient({ region: 'eu-central-1', credentials: creds }),
      ),
    ).toBe(DEPLOYED);
  });

  it('says clearly when the stack does not exist or is not a broker', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id X does not exist'), { name: 'ValidationError' }));
    await expect(
      apiUrlOfStack('X', 'eu-central-1', creds, new CloudFormationClient({ region: 'eu-central-1', credentials: creds })),
    ).rejects.toThrow(/no stack "X" in eu-central-1/);
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'Y', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(
      apiUrlOfStack('Y', 'eu-central-1', creds, new CloudFormationClient({ region: 'eu-central-1', credentials: creds })),
    ).rejects.toThrow(/no ApiUrl output/);
  });

  it('says CloudFormation cannot be reached (offline), naming the network error and --api-url as the way around', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-central-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    const err = await apiUrlOfStack(
      'SnowballCredentialBroker',
      'eu-central-1',
      creds,
      new CloudFormationClient({ region: 'eu-central-1', credentials: creds }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toBe(
      'cannot reach CloudFormation in eu-central-1 to read stack "SnowballCredentialBroker" (ENOTFOUND): check your network, or pass --api-url instead of --stack.',
    );
    expect(err.exitCode).toBe(3);
  });

  it('takes https://, and http:// only to this machine', async () => {
    const never = async () => {
      throw new Error('no credentials needed');
    };
    for (const local of ['http://127.0.0.1:3000/v1/', 'http://localhost:3000/v1/', 'http://[::1]:3000/v1/'])
      expect(await resolveApiUrl({ apiUrl: local }, {}, 'r', never)).toBe(local);
    for (const remote of [
      'http://10.0.0.5/v1/',
      'http://abc.execute-api.eu-central-1.amazonaws.com/v1/',
      'http://127.0.0.1.example.com/v1/',
      'ftp://x/',
    ]) {
      await expect(resolveApiUrl({ apiUrl: remote }, {}, 'r', never)).rejects.toThrow(CliError);
    }
  });

  it('prefers --api-url, then SNOWBALL_BROKER_API_URL, and asks for one when neither nor --stack is given', async () => {
    const never = async () => {
      throw new Error('no credentials needed');
    };
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
    expect(await resolveCredentials(undefined, keys)).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('leaves a named profile (--profile or AWS_PROFILE) to the full chain, as the SDK does', async () => {
    const home = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
    Object.assign(process.env, home);
    await expect(resolveCredentials('field', keys)).rejects.toThrow(/no AWS credentials found in profile "field"/);
  });
});
