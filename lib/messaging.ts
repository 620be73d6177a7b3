import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { KEY_ADMIN_ACTIONS } from './vault-key';

export interface EncryptedTopicProps {
  readonly displayName: string;
  /** What the key protects, shown in the KMS console. */
  readonly keyDescription: string;
  /** Administrators of the key; they never use it. */
  readonly keyAdmins: IPrincipal[];
  /** Who else may use the key, beside the administrators (publishers). */
  readonly keyUsers: PolicyStatement[];
}

/**
 * An SNS topic encrypted with its own rotating, retained customer-managed key whose policy names
 * its administrators and its publishers only (no delegation to the account), TLS only.
 */
export function encryptedTopic(scope: Construct, id: string, props: EncryptedTopicProps): Topic {
  const key = new Key(scope, `${id}Key`, {
    description: props.keyDescription,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new PolicyDocument({
      statements: [new PolicyStatement({ sid: 'KeyAdministration', principals: props.keyAdmins, actions: KEY_ADMIN_ACTIONS, resources: ['*'] }), ...props.keyUsers],
    }),
  });
  return new Topic(scope, id, { displayName: props.displayName, masterKey: key, enforceSSL: true });
}

/** A dead-letter queue: SSE, TLS only, 14 days; acknowledged as the end of its line (`whose` says for what). */
export function deadLetterQueue(scope: Construct, id: string, whose: string): Queue {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(queue).acknowledge({ id: rule, reason: `This queue is itself the dead-letter queue of ${whose}; nothing redrives from it.` });
  }
  return queue;
}
