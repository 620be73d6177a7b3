/**
 * Resolves CloudFormation intrinsics in a synthesized template to fake but well-formed ARNs, so
 * its policies can be evaluated offline. Each resource gets a name derived from its logical id.
 */
export class TemplateResolver {
  constructor(
    private readonly template: { Resources: Record<string, { Type: string; Properties: any }> },
    private readonly env: { account: string; region: string },
  ) {}

  /** The logical id of the resource of `type` whose id starts with `prefix` (CDK appends a hash). */
  logicalId(type: string, prefix: string): string {
    const id = Object.keys(this.template.Resources).find((k) => this.template.Resources[k].Type === type && k.startsWith(prefix));
    if (!id) throw new Error(`no ${type} ${prefix}* in the template`);
    return id;
  }

  private name(id: string): string {
    return id.toLowerCase().slice(0, 40);
  }

  attribute(id: string, attr: string): string {
    const { account, region } = this.env;
    const type = this.template.Resources[id]?.Type;
    const n = this.name(id);
    const roleName = this.template.Resources[id]?.Properties?.RoleName;
    const bucketName = this.template.Resources[id]?.Properties?.BucketName;
    const bucket = typeof bucketName === 'string' ? bucketName : n;
    const props = this.template.Resources[id]?.Properties ?? {};
    const named = (field: string) => (typeof props[field] === 'string' ? (props[field] as string) : n);
    const arns: Record<string, string> = {
      'AWS::IAM::Role': `arn:aws:iam::${account}:role/${typeof roleName === 'string' ? roleName : id}`,
      'AWS::KMS::Key': `arn:aws:kms:${region}:${account}:key/${n}`,
      'AWS::S3::Bucket': `arn:aws:s3:::${bucket}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${n}`,
      'AWS::Logs::LogGroup': `arn:aws:logs:${region}:${account}:log-group:${n}:*`,
      'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${n}`,
      'AWS::Events::Rule': `arn:aws:events:${region}:${account}:rule/${named('Name')}`,
      'AWS::CloudWatch::Alarm': `arn:aws:cloudwatch:${region}:${account}:alarm:${named('AlarmName')}`,
      'AWS::CloudTrail::Trail': `arn:aws:cloudtrail:${region}:${account}:trail/${named('TrailName')}`,
    };
    if (attr === 'Arn' && type && arns[type]) return arns[type];
    if (attr === 'Ref' && type === 'AWS::SNS::Topic') return `arn:aws:sns:${region}:${account}:${named('TopicName')}`;
    if (attr === 'Ref' && type === 'AWS::S3::Bucket') return bucket;
    if (attr === 'Ref' && type === 'AWS::ApiGateway::Stage') return named('StageName');
    if (attr === 'Ref') return type === 'AWS::IAM::Role' ? (typeof roleName === 'string' ? roleName : id) : n;
    if (attr === 'RootResourceId') return `${n}-root`;
    throw new Error(`cannot resolve ${id}.${attr} (${type})`);
  }

  private pseudo(name: string): string | undefined {
    return {
      'AWS::Partition': 'aws',
      'AWS::Region': this.env.region,
      'AWS::AccountId': this.env.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'Broker',
    }[name];
  }

  private sub(text: string): string {
    return text.replace(/\$\{([^}]+)\}/g, (_m, ref: string) => {
      const [id, attr] = ref.split('.');
      return this.pseudo(ref) ?? this.attribute(id, attr ?? 'Ref');
    });
  }

  resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return this.pseudo(value.Ref) ?? this.attribute(value.Ref, 'Ref');
    if ('Fn::GetAtt' in value) return this.attribute(value['Fn::GetAtt'][0], value['Fn::GetAtt'][1]);
    if ('Fn::Join' in value) return (this.resolve(value['Fn::Join'][1]) as string[]).join(value['Fn::Join'][0]);
    if ('Fn::Sub' in value) return this.sub(value['Fn::Sub']);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }
}
