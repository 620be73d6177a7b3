import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, type IPrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { STABLE_NAMES } from '../contract/deployment';
import { functionEnv } from '../contract/function-env';
import { MANIFEST_KEY_PREFIX } from '../contract/vault-layout';
import { actionsOf, KEY_GRANTS } from '../policies/grants';
import { acknowledgeWildcardResource } from './nag';
import type { VaultFunctions } from './vault-functions';
import { VaultKey } from './vault-key';

export interface ManifestVaultProps {
  /** Days a manifest version is kept after it was written. */
  readonly retentionDays: number;
  /** Principals that administer the vault's key (never use it). */
  readonly keyAdmins: IPrincipal[];
  /**
   * ARNs that may still remove a delete marker or re-tag a manifest (the deployer, break-glass),
   * besides the manifest function. Default: none.
   */
  readonly restorerArns?: string[];
}

/**
 * Actions that would bring a retired manifest back (removing its delete marker is a
 * DeleteObjectVersion) or change the tags the manifest function trusts.
 */
const RETIREMENT_ACTIONS = ['s3:DeleteObjectVersion', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'];

/** Object-level actions the bucket policy reserves to the roles this vault names. */
const OBJECT_DATA_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject'];

/**
 * The manifest vault: ONE bucket for every job's manifest, named `snowball-broker-manifests-ACCOUNT-REGION`
 * so a service control policy can name it. Default settings: SSE-KMS with its own rotating key and a bucket key; versioned; all public access blocked; ACLs
 * disabled; TLS 1.2+ only; server access logs to a separate log bucket; manifests expire after the
 * retention window, old versions after 30 days, incomplete uploads after 1 day; retained on stack
 * deletion. The bucket policy denies object reads and writes to every principal but the roles
 * granted through `grantBroker` and `grantRead`.
 */
export class ManifestVault extends Construct {
  readonly bucket: Bucket;
  readonly key: VaultKey;
  /** The bucket the vault's (and the optional trail's) server access logs go to. */
  readonly accessLogs: Bucket;
  private readonly brokers = new Set<IRole>();

  constructor(scope: Construct, id: string, props: ManifestVaultProps) {
    super(scope, id);
    this.key = new VaultKey(this, 'Key', {
      description: 'snowball-credential-broker: encrypts Snowball job manifests',
      service: 's3',
      admins: props.keyAdmins,
      alias: STABLE_NAMES.keyAlias('manifest'),
    });
    const accessLogs = (this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(400) }],
    }));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the manifest vault; logging it to itself would loop.',
    });
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: STABLE_NAMES.manifestBucket(Stack.of(this).account, Stack.of(this).region),
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'manifest-vault/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireAfterCredentialWindow',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(Math.min(30, props.retentionDays)),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });
    // Reading a version by id would reach past a delete marker: a retired manifest is readable by
    // no one (a restore removes the marker, by the deployer or break-glass).
    this.denyOnManifests('NoOneReadsPastVersions', ['s3:GetObjectVersion']);
    // Every manifest is under the vault key, so only its Decrypt grantees can read one: a write
    // naming another encryption (SSE-S3, another key) would make an object readable by anyone
    // allowed s3:GetObject without the key.
    this.denyOnManifests('OnlyTheVaultKeyEncrypts', ['s3:PutObject'], {
      Null: { 's3:x-amz-server-side-encryption': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    });
    this.denyOnManifests('OnlyTheVaultKeyIsNamed', ['s3:PutObject'], {
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.key.keyArn },
    });
    // Whoever may decrypt manifests is exactly whoever may read or write them.
    this.denyOnManifests('OnlyNamedRolesReadOrWriteManifests', OBJECT_DATA_ACTIONS, {
      ArnNotEquals: { 'aws:PrincipalArn': this.key.userArns() },
    });
    const restorers = props.restorerArns ?? [];
    this.denyOnManifests('RetiredManifestsStayRetired', RETIREMENT_ACTIONS, {
      ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...[...this.brokers].map((r) => r.roleArn), ...restorers] }) },
    });
  }

  /** A bucket-policy deny on every object, for every principal, unless `conditions` exempt it. */
  private denyOnManifests(sid: string, actions: string[], conditions?: Record<string, unknown>): void {
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions,
        resources: [this.bucket.arnForObjects('*')],
        conditions,
      }),
    );
  }

  private manifestsArn(): string {
    return this.bucket.arnForObjects(`${MANIFEST_KEY_PREFIX}*`);
  }

  private grantObjects(role: IRole, sid: string, actions: string[]): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid, actions, resources: [this.manifestsArn()] }));
    acknowledgeWildcardResource(
      role,
      this.manifestsArn(),
      'One object per Snowball job under manifests/; job ids are not known at deploy time.',
    );
  }

  /** Lets a role list the bucket, so a manifest never stored answers 404 rather than 403. */
  private grantBucket(role: IRole, actions: string[]): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'TellMissingManifests', actions, resources: [this.bucket.bucketArn] }));
  }

  /**
   * Lets the vault's functions (their one role) write and retire manifests (never read one back:
   * the key gives them GenerateDataKey only), and tells every one of them which bucket.
   */
  grantBroker(functions: VaultFunctions): void {
    const { role } = functions;
    const env = functionEnv('manifest', { bucketName: this.bucket.bucketName });
    for (const [name, value] of Object.entries(env)) functions.addEnvironment(name, value);
    this.brokers.add(role);
    this.grantObjects(role, 'WriteManifests', actionsOf('manifestFunctionObjects'));
    // Without ListBucket, S3 answers a HEAD of a missing manifest with 403 instead of 404;
    // ListBucketVersions tells a retired manifest (a delete marker) from one never stored.
    this.grantBucket(role, actionsOf('manifestFunctionBucket'));
    this.key.allow(role, 'ManifestFunctionEncryptsThroughS3', KEY_GRANTS.manifestFunctionKey);
  }

  /**
   * Lets an operator role read the current manifest of a job (and decrypt it, through S3 only),
   * and list the bucket so a manifest never stored answers 404. No GetObjectVersion: a retired
   * manifest (behind a delete marker) stays out of every operator's reach.
   */
  grantRead(role: IRole): void {
    this.grantObjects(role, 'ReadManifests', actionsOf('manifestOperatorObjects'));
    this.grantBucket(role, actionsOf('manifestOperatorBucket'));
    this.key.allow(role, 'ManifestOperatorDecryptsThroughS3', KEY_GRANTS.manifestOperatorKey);
  }

  /** Denies a role every read of this vault, whatever else it is granted later. */
  denyTo(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'NeverReadManifests',
        effect: Effect.DENY,
        actions: ['s3:GetObject', 's3:GetObjectVersion', 'kms:Decrypt'],
        resources: [this.bucket.arnForObjects('*'), this.key.key.keyArn],
      }),
    );
  }
}
