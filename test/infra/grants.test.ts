import { manifestObjectKey } from '../../contract/vault-layout';
import { GRANTS, KEY_GRANTS } from '../../policies/grants';
import { SANDBOX_ACCESS, SANDBOX_KEY_ACCESS, SCOPE_OF } from '../../sandbox/access';
import type { PrincipalName } from '../../sandbox/identities';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';

/**
 * The sandbox's stand-ins admit each principal from SANDBOX_ACCESS; the stack grants from the same
 * policies/grants.ts. This proves the two say the same thing: per role, the Snowball, S3 and Secrets
 * Manager actions the synthesized identity policies allow, and on what, equal the sandbox's table.
 */
const raw = synthBroker().template.toJSON() as { Resources: Record<string, any> };
const resolver = new TemplateResolver(raw, TEST_ENV);
const ROLE_PREFIX: Record<Exclude<PrincipalName, 'outsider' | 'administrator'>, string> = {
  manifestFunction: 'ManifestFunctionRole',
  unlockCodeFunction: 'UnlockCodeFunctionRole',
  manifest: 'OperatorsManifestOperator',
  unlockCode: 'OperatorsUnlockCodeOperator',
};
/** What a synthesized resource ARN is, in the sandbox's terms. */
function scopeOf(arn: string): string {
  if (arn === '*') return 'snowball';
  if (/^arn:aws:s3:::[^/]+$/.test(arn)) return 'manifestBucket';
  if (new RegExp(`^arn:aws:s3:::[^/]+/${manifestObjectKey('').split('/')[0]}/\\*$`).test(arn)) return 'manifestObjects';
  if (/^arn:aws:secretsmanager:.*:secret:snowball\/unlock-code\/\*$/.test(arn)) return 'unlockCodeSecrets';
  return `unknown:${arn}`;
}

const VAULT_SERVICES = /^(snowball|s3|secretsmanager):/;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function synthesizedAllows(rolePrefix: string): string[] {
  const roleId = Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === 'AWS::IAM::Role' && id.startsWith(rolePrefix))!;
  const out: string[] = [];
  for (const r of Object.values(raw.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' || !r.Properties.Roles.some((x: any) => x.Ref === roleId)) continue;
    for (const st of resolver.resolve(r.Properties.PolicyDocument).Statement) {
      if (st.Effect !== 'Allow') continue;
      for (const action of asList<string>(st.Action).filter((a) => VAULT_SERVICES.test(a))) {
        for (const arn of asList<string>(st.Resource)) out.push(`${action} on ${scopeOf(arn)}`);
      }
    }
  }
  return [...new Set(out)].sort();
}

function sandboxAllows(who: PrincipalName): string[] {
  return [...new Set(SANDBOX_ACCESS[who].flatMap((g) => GRANTS[g].map((a) => `${a} on ${SCOPE_OF[g]}`)))].sort();
}

describe("the sandbox's access table matches the synthesized policies", () => {
  it.each(Object.keys(ROLE_PREFIX) as (keyof typeof ROLE_PREFIX)[])('%s: same vault and Snowball actions, on the same resources', (who) => {
    const synthesized = synthesizedAllows(ROLE_PREFIX[who]);
    expect(synthesized.length).toBeGreaterThan(0);
    expect(sandboxAllows(who)).toEqual(synthesized);
  });

  it('the outsider holds nothing in the sandbox', () => {
    expect(sandboxAllows('outsider')).toEqual([]);
  });
});

describe("the sandbox's key emulation matches the synthesized key policies", () => {
  const KEY_PREFIX = { manifest: 'ManifestVaultKey', unlockCode: 'UnlockCodeVaultKey' } as const;
  const roleArnOf = (who: keyof typeof ROLE_PREFIX) =>
    resolver.attribute(
      Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === 'AWS::IAM::Role' && id.startsWith(ROLE_PREFIX[who]))!,
      'Arn',
    );

  /** Per key, what each role is allowed: `action` or `action if SecretVersionId=…`. */
  function synthesizedKeyUses(who: keyof typeof ROLE_PREFIX): string[] {
    const arn = roleArnOf(who);
    const out: string[] = [];
    for (const [vault, prefix] of Object.entries(KEY_PREFIX)) {
      const keyId = resolver.logicalId('AWS::KMS::Key', prefix);
      for (const st of resolver.resolve(raw.Resources[keyId].Properties.KeyPolicy).Statement) {
        if (st.Effect !== 'Allow' || JSON.stringify(st.Principal) !== JSON.stringify({ AWS: arn })) continue;
        const only = st.Condition?.StringEquals?.['kms:EncryptionContext:SecretVersionId'];
        for (const action of asList<string>(st.Action)) out.push(`${vault}: ${action}${only ? ` if SecretVersionId=${only}` : ''}`);
      }
    }
    return out.sort();
  }

  function sandboxKeyUses(who: PrincipalName): string[] {
    return SANDBOX_KEY_ACCESS[who]
      .flatMap((name) =>
        (KEY_GRANTS[name] as readonly { actions: readonly string[]; onlySecretVersionId?: string }[]).flatMap((g) =>
          g.actions.map(
            (a) =>
              `${name.startsWith('manifest') ? 'manifest' : 'unlockCode'}: ${a}${g.onlySecretVersionId ? ` if SecretVersionId=${g.onlySecretVersionId}` : ''}`,
          ),
        ),
      )
      .sort();
  }

  it.each(Object.keys(ROLE_PREFIX) as (keyof typeof ROLE_PREFIX)[])('%s: the same uses of the same keys', (who) => {
    expect(sandboxKeyUses(who)).toEqual(synthesizedKeyUses(who));
  });

  it('no function may Decrypt but for the key-access check', () => {
    for (const who of ['manifestFunction', 'unlockCodeFunction'] as const) {
      for (const use of synthesizedKeyUses(who).filter((u) => u.includes('kms:Decrypt')))
        expect(use).toMatch(/if SecretVersionId=RequestToValidateKeyAccess$/);
    }
  });
});
