import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, SECRET_PREFIX_PATTERN } from '../../lib/contract';
import { assertCallerIsRole } from '../shared/caller';
import { once, requireEnv } from '../shared/env';
import { methodNotAllowed } from '../shared/errors';
import { json, respond, type BrokerRequest } from '../shared/http';
import { audit, log } from '../shared/log';
import { clients } from './clients';
import { brokerUnlockCode, getUnlockCode, type UnlockCodeSettings } from './core';

export function settingsFromEnv(env: NodeJS.ProcessEnv): UnlockCodeSettings {
  const secretPrefix = requireEnv(env, ENV.unlockCodeSecretPrefix);
  if (!SECRET_PREFIX_PATTERN.test(secretPrefix)) throw new Error(`${ENV.unlockCodeSecretPrefix} is malformed`);
  return {
    secretPrefix,
    kmsKeyArn: requireEnv(env, ENV.unlockCodeKeyArn),
    readerRoleArn: requireEnv(env, ENV.unlockCodeReaderRoleArn),
    brokerRoleArn: requireEnv(env, ENV.unlockCodeBrokerRoleArn),
  };
}

const settings = once(() => settingsFromEnv(process.env));

async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId, caller } = request;
  const { readerRoleArn } = settings();
  assertCallerIsRole(caller, readerRoleArn);
  if (request.method === 'POST') {
    const result = await brokerUnlockCode(clients, settings(), jobId);
    const { versionId, unchanged } = result;
    log.info({ event: 'unlock-code-brokered', jobId, caller, versionId, unchanged });
    return json(unchanged ? 200 : 201, result);
  }
  if (request.method === 'GET') {
    const unlockCode = await getUnlockCode(clients, settings(), jobId);
    audit('read-unlock-code', jobId, caller);
    return json(200, { jobId, unlockCode });
  }
  throw methodNotAllowed();
}

/** `GET|POST /jobs/{jobId}/unlock-code` */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('unlockCode', event, route);
