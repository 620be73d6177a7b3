import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { assertCallerIsRole } from '../shared/caller';
import { once } from '../shared/env';
import { methodNotAllowed } from '../shared/errors';
import { fleetStatus } from '../shared/fleet-status';
import { json, respond, type BrokerRequest } from '../shared/http';
import { audit, log } from '../shared/log';
import { clients } from './clients';
import { brokerUnlockCode, getUnlockCode } from './core';
import { unlockCodeHoldings } from './lifecycle';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId, caller } = request;
  const { readerRoleArn } = settings();
  assertCallerIsRole(caller, readerRoleArn);
  if (request.fleet) {
    if (request.method !== 'GET') throw methodNotAllowed();
    return json(200, await fleetStatus(clients.snowball, (ids) => unlockCodeHoldings(clients, settings(), ids)));
  }
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

/** `GET|POST /jobs/{jobId}/unlock-code`, `GET /unlock-codes` */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('unlockCode', event, route);
