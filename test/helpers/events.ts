import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routeTemplate } from '../../contract/api';
import { type OperatorKind } from '../../contract/vaults';

export const ACCOUNT = '123456789012';
export const MANIFEST_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Broker-ManifestOperator-1A2B3C`;
export const UNLOCK_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Broker-UnlockCodeOperator-4D5E6F`;
export const MANIFEST_CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/Broker-ManifestOperator-1A2B3C/alice`;
export const UNLOCK_CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/Broker-UnlockCodeOperator-4D5E6F/bob`;
export const JOB_ID = 'JID123e4567-e89b-12d3-a456-426655440000';

/** An API Gateway proxy event as the broker API delivers it. */
export function apiEvent(kind: OperatorKind, method: string, jobId: string, caller: string): APIGatewayProxyEvent {
  const resource = routeTemplate(kind);
  return {
    httpMethod: method,
    resource,
    path: resource.replace('{jobId}', jobId),
    pathParameters: { jobId },
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      identity: { userArn: caller, accountId: ACCOUNT },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

export function errorOf(result: { body: string }): { code: string; message: string } {
  return JSON.parse(result.body).error;
}
