import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { topicKeyStatements, topicPublishStatements, type ServicePublisher } from '../policies/service-publishers';
import { KEY_ADMIN_ACTIONS } from './vault-key';

export interface EncryptedTopicProps {
  /** The topic's name: fixed, so its key policy can name it without a dependency cycle. */
  readonly topicName: string;
  readonly displayName: string;
  /** What the key protects, shown in the KMS console. */
  readonly keyDescription: string;
  /** Administrators of the key; they never use it. */
  readonly keyAdmins: IPrincipal[];
  /** The AWS services that publish into the topic: admitted by the topic and its key, for their own sources only. */
  readonly publishers: readonly ServicePublisher[];
  /** Who else may use the key, beside the administrators and the publishing services. Default: nobody. */
  readonly keyUsers?: PolicyStatement[];
}

/**
 * An SNS topic encrypted with its own rotating, retained customer-managed key whose policy names
 * its administrators and its publishers only (no delegation to the account), TLS only. Each
 * publishing service is admitted by the topic policy for its own sources of this account
 * (`aws:SourceArn`, `aws:SourceAccount`) and by the key policy for this topic only
 * (policies/service-publishers.ts, which the sandbox judges its deliveries with too).
 */
export function encryptedTopic(scope: Construct, id: string, props: EncryptedTopicProps): Topic {
  const stack = Stack.of(scope);
  const place = {
    topicArn: stack.formatArn({ service: 'sns', resource: props.topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    account: stack.account,
  };
  const key = new Key(scope, `${id}Key`, {
    description: props.keyDescription,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new PolicyDocument({
      statements: [
        new PolicyStatement({ sid: 'KeyAdministration', principals: props.keyAdmins, actions: KEY_ADMIN_ACTIONS, resources: ['*'] }),
        ...topicKeyStatements(place, props.publishers).map((s) => PolicyStatement.fromJson(s)),
        ...(props.keyUsers ?? []),
      ],
    }),
  });
  const topic = new Topic(scope, id, { topicName: props.topicName, displayName: props.displayName, masterKey: key, enforceSSL: true });
  for (const statement of topicPublishStatements({ ...place, topicArn: topic.topicArn }, props.publishers)) {
    topic.addToResourcePolicy(PolicyStatement.fromJson(statement));
  }
  return topic;
}

/** A dead-letter queue: SSE, TLS only, 14 days; acknowledged as the end of its line (`whose` says for what). */
export function deadLetterQueue(scope: Construct, id: string, whose: string): Queue {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(queue).acknowledge({
      id: rule,
      reason: `This queue is itself the dead-letter queue of ${whose}; nothing redrives from it.`,
    });
  }
  return queue;
}
