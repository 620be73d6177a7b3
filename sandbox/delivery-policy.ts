/**
 * Judges a service's delivery into one of the sandbox's topics as AWS does: the topic's policy,
 * then its key's policy, built by the same functions the stack's constructs use
 * (policies/service-publishers.ts). An explicit Deny wins; without a matching Allow the delivery is
 * refused. A condition on a key the request lacks does not hold, unless its operator ends in
 * `IfExists` (or is a negated one), as in IAM.
 */
import {
  TOPIC_KEY_ACTIONS,
  topicKeyStatements,
  topicPublishStatements,
  type ServicePublisher,
  type TopicPlace,
} from '../policies/service-publishers';

interface Statement {
  Effect: string;
  Principal?: { Service?: string | string[] } | string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** One call a service makes on a resource, with the context keys AWS fills in. */
export interface ServiceRequest {
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function like(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

function holds(operator: string, expected: string[], actual: string | undefined): boolean {
  const base = operator.replace(/IfExists$/, '');
  if (actual === undefined) return base !== operator || /Not/.test(base);
  switch (base) {
    case 'StringEquals':
    case 'ArnEquals':
      return expected.includes(actual);
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return !expected.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return expected.some((p) => like(p, actual));
    case 'ArnNotLike':
    case 'StringNotLike':
      return !expected.some((p) => like(p, actual));
    case 'Bool':
      return expected.includes(actual);
    default:
      throw new Error(`the sandbox's delivery evaluator does not know ${operator}`);
  }
}

function applies(statement: Statement, request: ServiceRequest): boolean {
  const principal = statement.Principal;
  const principalMatches =
    principal === '*' ||
    (typeof principal === 'object' &&
      ('AWS' in principal
        ? list((principal as { AWS: string | string[] }).AWS).includes('*')
        : list(principal.Service ?? []).includes(request.service)));
  if (!principalMatches) return false;
  if (!list(statement.Action).some((a) => like(a, request.action))) return false;
  if (!list(statement.Resource).some((r) => like(r, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => holds(operator, list(expected), request.context[key])),
  );
}

/** True when the policy admits the request: an Allow applies and no Deny does. */
export function admits(statements: readonly unknown[], request: ServiceRequest): boolean {
  const all = statements as Statement[];
  if (all.some((s) => s.Effect === 'Deny' && applies(s, request))) return false;
  return all.some((s) => s.Effect === 'Allow' && applies(s, request));
}

/** The TLS-only Deny every topic of the stack has (`enforceSSL`). */
const tlsOnly = (topicArn: string) => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: topicArn,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/** An encrypted topic as the stack builds it: who may publish, judged on the topic and on its key. */
export class GuardedTopic {
  private readonly topicPolicy: unknown[];
  private readonly keyPolicy: unknown[];

  constructor(
    readonly place: TopicPlace,
    publishers: readonly ServicePublisher[],
  ) {
    this.topicPolicy = [tlsOnly(place.topicArn), ...topicPublishStatements(place, publishers)];
    this.keyPolicy = topicKeyStatements(place, publishers);
  }

  /** Why AWS would refuse `service` publishing for `sourceArn`, or undefined when it would deliver. */
  refusal(service: string, sourceArn: string, sourceAccount: string): string | undefined {
    const context = { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount, 'aws:SecureTransport': 'true' };
    if (!admits(this.topicPolicy, { service, action: 'sns:Publish', resource: this.place.topicArn, context })) {
      return `the topic policy of ${this.place.topicArn} does not admit ${service} for ${sourceArn}`;
    }
    const keyContext = { ...context, 'kms:EncryptionContext:aws:sns:topicArn': this.place.topicArn };
    for (const action of TOPIC_KEY_ACTIONS.map((a) => a.replace('*', ''))) {
      if (!admits(this.keyPolicy, { service, action, resource: '*', context: keyContext }))
        return `the key policy of ${this.place.topicArn} does not let ${service} use it (${action})`;
    }
    return undefined;
  }
}
