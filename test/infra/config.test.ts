import { ConfigError, parseConfig } from '../../lib/config';
import { synthBroker } from '../helpers/synth';
import { cdkJsonContext } from '../../tools/bundles';

const ROLE_A = 'arn:aws:iam::111122223333:role/field-team';
const ROLE_B = 'arn:aws:iam::111122223333:role/security-team';
const parse = (context: Record<string, unknown>) => parseConfig((key) => context[key]);

describe('configuration', () => {
  it('states in cdk.json the very defaults the code applies to a missing key (one default per value)', () => {
    const fromCdkJson = parseConfig((key) => cdkJsonContext()[key]);
    expect(fromCdkJson).toEqual(parse({}));
  });

  it('defaults to empty principal lists, 360 days and the standard secret prefix', () => {
    expect(parse({})).toEqual({
      manifestOperatorPrincipals: [],
      unlockCodeOperatorPrincipals: [],
      keyAdminPrincipals: [],
      retentionDays: 360,
      secretPrefix: 'snowball/unlock-code/',
      alertEmails: [],
      managementTrail: false,
      manifestReadTrail: false,
      breakGlassRoleArn: undefined,
      captureIntervalMinutes: 15,
      retireRecoveryDays: 30,
    });
  });

  it.each([
    ['captureIntervalMinutes', -1, /captureIntervalMinutes must be a whole number from 0 to 1440/],
    ['retireRecoveryDays', 6, /retireRecoveryDays must be a whole number from 7 to 30/],
    ['retireRecoveryDays', '31', /retireRecoveryDays must be a whole number from 7 to 30/],
  ])('refuses %s %p', (key, value, says) => {
    expect(() => parse({ [key]: value })).toThrow(says);
  });

  it('reads the detection switches and e-mail list as -c passes them, refusing what they cannot be', () => {
    expect(parse({ manifestReadTrail: 'true', alertEmails: 'a@example.com, b@example.org' })).toMatchObject({
      manifestReadTrail: true,
      alertEmails: ['a@example.com', 'b@example.org'],
    });
    expect(() => parse({ managementTrail: 'yes' })).toThrow(/managementTrail must be true or false/);
    expect(() => parse({ alertEmails: ['desk'] })).toThrow(/alertEmails\[0\] "desk" is not an e-mail address/);
  });

  it('accepts JSON arrays and comma-separated strings, as -c passes them', () => {
    const config = parse({
      manifestOperatorPrincipals: `["${ROLE_A}"]`,
      unlockCodeOperatorPrincipals: `${ROLE_B}, arn:aws:iam::111122223333:user/ops`,
      retentionDays: '30',
    });
    expect(config.manifestOperatorPrincipals).toEqual([ROLE_A]);
    expect(config.unlockCodeOperatorPrincipals).toEqual([ROLE_B, 'arn:aws:iam::111122223333:user/ops']);
    expect(config.retentionDays).toBe(30);
  });

  it('refuses the same principal as both a manifest and an unlock-code operator, naming it', () => {
    const context = {
      manifestOperatorPrincipals: [ROLE_A],
      unlockCodeOperatorPrincipals: [ROLE_B, 'arn:aws:iam::111122223333:role/Field-Team'],
    };
    expect(() => parse(context)).toThrow(ConfigError);
    expect(() => parse(context)).toThrow(
      /named in both manifestOperatorPrincipals and unlockCodeOperatorPrincipals.*remove it from one list/,
    );
  });

  it.each(['manifestOperatorPrincipals', 'unlockCodeOperatorPrincipals'])(
    'refuses an account root in %s: it would let one role of that account assume both operator roles',
    (key) => {
      const other = key === 'manifestOperatorPrincipals' ? 'unlockCodeOperatorPrincipals' : 'manifestOperatorPrincipals';
      const context = { [key]: ['arn:aws:iam::111122223333:root'], [other]: [ROLE_A] };
      expect(() => parse(context)).toThrow(ConfigError);
      expect(() => parse(context)).toThrow(
        new RegExp(`${key}\\[0\\] "arn:aws:iam::111122223333:root" names a whole account.*Name the roles or users themselves`),
      );
      // Positive control: the same root is accepted where a whole account is meant (key administration).
      expect(parse({ keyAdminPrincipals: ['arn:aws:iam::111122223333:root'], [other]: [ROLE_A] }).keyAdminPrincipals).toEqual([
        'arn:aws:iam::111122223333:root',
      ]);
    },
  );

  it.each([
    ['a bare account id', '111122223333'],
    ['an S3 ARN', 'arn:aws:s3:::bucket'],
    ['a role ARN without account', 'arn:aws:iam:::role/x'],
    ['an assumed-role session', 'arn:aws:sts::111122223333:assumed-role/x/y'],
  ])('refuses %s as a principal and says which entry and what form to use', (_what, arn) => {
    expect(() => parse({ keyAdminPrincipals: [ROLE_A, arn] })).toThrow(
      new RegExp(
        `keyAdminPrincipals\\[1\\] "${arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not an IAM principal ARN: use arn:aws:iam::123456789012:role/NAME`,
      ),
    );
  });

  it.each([0, -1, 3651, 1.5, 'soon'])('refuses retentionDays %p', (days) => {
    expect(() => parse({ retentionDays: days })).toThrow(/retentionDays must be a whole number of days from 1 to 3650/);
  });

  it.each(['no-trailing-slash', 'bad prefix/', '', '/', `${'a'.repeat(201)}/`])('refuses secretPrefix %p', (prefix) => {
    expect(() => parse({ secretPrefix: prefix })).toThrow(/secretPrefix must end in "\/"/);
  });

  it.each(['a/', `${'a'.repeat(200)}/`])('accepts secretPrefix %p', (prefix) => {
    expect(parse({ secretPrefix: prefix }).secretPrefix).toBe(prefix);
  });

  it('fails synth of the stack itself on a shared principal', () => {
    expect(() => synthBroker({ manifestOperatorPrincipals: [ROLE_A], unlockCodeOperatorPrincipals: [ROLE_A] })).toThrow(ConfigError);
  });
});
