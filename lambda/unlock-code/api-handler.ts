import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { once } from '../shared/env';
import { methodNotAllowed, readNotServedHere } from '../shared/errors';
import { fleetStatus } from '../shared/fleet-route';
import { json, respond, type BrokerRequest } from '../shared/http';
import { log } from '../shared/log';
import { clients } from './clients';
import { brokerUnlockCode } from './capture';
import { unlockCodeHoldings } from './lifecycle-steps';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

/**
 * The function writes only, and nothing it answers is a secret. It never reads the caller the event
 * names (anyone allowed lambda:InvokeFunction can write it; see parseRequest).
 */
async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId } = request;
  if (request.fleet) {
    if (request.method !== 'GET') throw methodNotAllowed();
    return json(200, await fleetStatus(clients.snowball, (ids) => unlockCodeHoldings(clients, settings(), ids)));
  }
  if (request.method === 'POST') {
    const result = await brokerUnlockCode(clients, settings(), jobId);
    const { versionId, unchanged } = result;
    log.info({ event: 'unlock-code-brokered', jobId, versionId, unchanged });
    return json(unchanged ? 200 : 201, result);
  }
  if (request.method === 'GET') throw readNotServedHere();
  throw methodNotAllowed();
}

/** `POST /jobs/{jobId}/unlock-code`, `GET /unlock-codes` */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('unlockCode', event, route);
