import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag names an IAM5 finding after the flattened resource (`Resource::<Bucket.Arn>/manifests/*`).
 * This mirrors cdk-nag's own flattening (not exported by it) so each acknowledgement names
 * exactly the wildcard it accepts, whatever account and region the stack is synthesized for.
 */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation intrinsics are untyped JSON
  const n = node as Record<string, any>;
  if (n['Fn::Join']) return (n['Fn::Join'][1] as unknown[]).map(flatten).join(n['Fn::Join'][0]);
  if (n['Fn::Sub']) return flatten(n['Fn::Sub']);
  if (n['Fn::GetAtt']) return `<${flatten(n['Fn::GetAtt'][0])}.${flatten(n['Fn::GetAtt'][1])}>`;
  if (n.Ref) return `<${flatten(n.Ref)}>`;
  return JSON.stringify(node);
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource of the policies under `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const resource = flatten(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
