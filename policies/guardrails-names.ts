import { STABLE_NAMES } from '../contract/deployment';
import { OPERATOR_KINDS, type OperatorKind } from '../contract/vaults';

/** What the service control policies need to know of the broker's account. */
export interface GuardrailsPolicyInput {
  /** The account the broker is deployed in; the SCPs guard it alone. */
  readonly brokerAccountId: string;
  /** Every region the broker is deployed in: the exempt roles are named per region, exactly. */
  readonly brokerRegions: string[];
  /** Name prefix of the unlock-code secrets. */
  readonly secretPrefix: string;
  /** The CDK bootstrap qualifier of the broker account. Default: `hnb659fds`. */
  readonly bootstrapQualifier?: string;
  /** Who may assume the CDK bootstrap roles of the broker account (and so deploy); nobody else may. */
  readonly deployerPrincipalArns: string[];
  /** Who may assume each operator role; an empty list means nobody in the broker account. */
  readonly operatorPrincipalArns: Record<OperatorKind, string[]>;
  /** One role exempt from every guardrail, for emergencies; its use is always alerted. */
  readonly breakGlassRoleArn?: string;
  /** Who in the broker account may assume the break-glass role. Default: nobody (assume it from outside). */
  readonly breakGlassPrincipalArns?: string[];
  /** Sealed mode: who may order and manage Snowball jobs (never read their credentials). */
  readonly jobCreatorPrincipalArns?: string[];
  /** Sealed mode: the jobs' service roles (trusted by importexport.amazonaws.com), which Snowball acts as. */
  readonly snowballJobRoleArns?: string[];
}

/** The bootstrap roles that act in a deploy: CloudFormation's execution role, the deploy role, the asset publisher. */
export const ACTING_BOOTSTRAP_ROLES = ['cfn-exec-role', 'deploy-role', 'file-publishing-role'] as const;
/** Every bootstrap role, the read-only lookup role included (sealed mode admits them all). */
export const BOOTSTRAP_ROLES = [...ACTING_BOOTSTRAP_ROLES, 'lookup-role', 'image-publishing-role'] as const;

/**
 * The principals and resources the guardrails name, for one broker account. Every exempt principal
 * is named exactly (role name with region, never a pattern someone could create a role into); the
 * patterns name only what is guarded, and creating into them is guarded too.
 */
export function guardrailsNames(input: GuardrailsPolicyInput) {
  const acct = input.brokerAccountId;
  const q = input.bootstrapQualifier ?? 'hnb659fds';
  const role = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
  const perRegion = (name: (region: string) => string) => input.brokerRegions.map((region) => role(name(region)));
  const bootstrap = (roles: readonly string[]) => roles.flatMap((r) => perRegion((region) => `cdk-${q}-${r}-${acct}-${region}`));
  const glass = input.breakGlassRoleArn ? [input.breakGlassRoleArn] : [];
  const stack = STABLE_NAMES.stack;
  // Configured principals of the broker account itself: whoever could re-trust or re-create one would hold its exemption.
  const configured = [
    ...input.deployerPrincipalArns,
    ...input.operatorPrincipalArns.manifest,
    ...input.operatorPrincipalArns.unlockCode,
    ...(input.breakGlassPrincipalArns ?? []),
    ...(input.jobCreatorPrincipalArns ?? []),
  ];
  const localPrincipals = [...new Set(configured.filter((arn) => arn.includes(`::${acct}:`) && !arn.endsWith(':root')))];
  return {
    acct,
    glass,
    localPrincipals,
    /** Who deploys: the configured deployers and the bootstrap roles that act for them, and break-glass. */
    deploy: [...bootstrap(ACTING_BOOTSTRAP_ROLES), ...input.deployerPrincipalArns, ...glass],
    allBootstrapRoles: bootstrap(BOOTSTRAP_ROLES),
    functionRole: (kind: OperatorKind) => perRegion((region) => STABLE_NAMES.functionRole(kind, region)),
    operatorRole: (kind: OperatorKind) => perRegion((region) => STABLE_NAMES.operatorRole(kind, region)),
    operatorRoles: OPERATOR_KINDS.flatMap((kind) => perRegion((region) => STABLE_NAMES.operatorRole(kind, region))),
    resources: {
      bootstrapRoles: `arn:*:iam::${acct}:role/cdk-${q}-*`,
      brokerRoles: `arn:*:iam::${acct}:role/${stack}*`,
      functions: `arn:*:lambda:*:${acct}:function:${stack}*`,
      rules: `arn:*:events:*:${acct}:rule/${stack}*`,
      topics: `arn:*:sns:*:${acct}:${stack}*`,
      logGroups: `arn:*:logs:*:${acct}:log-group:${stack}*`,
      alarms: `arn:*:cloudwatch:*:${acct}:alarm:${stack}*`,
      queues: `arn:*:sqs:*:${acct}:${stack}*`,
      stacks: [`arn:*:cloudformation:*:${acct}:stack/${stack}*`, `arn:*:cloudformation:*:${acct}:stack/CDKToolkit/*`],
      trails: `arn:*:cloudtrail:*:${acct}:trail/*`,
      keyAliases: `arn:*:kms:*:${acct}:${STABLE_NAMES.keyAliasPrefix()}*`,
      keys: `arn:*:kms:*:${acct}:key/*`,
      restApis: 'arn:*:apigateway:*::/restapis/*',
      manifestBucket: [
        `arn:*:s3:::${STABLE_NAMES.manifestBucketPattern(acct)}`,
        `arn:*:s3:::${STABLE_NAMES.manifestBucketPattern(acct)}/*`,
      ],
      /** The broker's log buckets (CloudFormation names them after the stack, in lower case) and the CDK asset bucket. */
      logAndAssetBuckets: [`arn:*:s3:::${stack.toLowerCase()}-*`, `arn:*:s3:::cdk-${q}-assets-${acct}-*`],
      secrets: `arn:*:secretsmanager:*:${acct}:secret:${input.secretPrefix}*`,
    },
  };
}
export type GuardrailsNames = ReturnType<typeof guardrailsNames>;
