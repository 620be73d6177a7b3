import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { once } from '../shared/env';
import { methodNotAllowed, readNotServedHere } from '../shared/errors';
import { fleetStatus } from '../shared/fleet-route';
import { json, respond, type BrokerRequest } from '../shared/http';
import { log } from '../shared/log';
import { clients } from './clients';
import { brokerManifest } from './capture';
import { manifestDetails } from './lifecycle-steps';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId } = request;
  if (request.fleet) {
    if (request.method !== 'GET') throw methodNotAllowed();
    const status = await fleetStatus(
      clients.snowball,
      (ids) => manifestDetails(clients.s3, settings().bucket, ids),
      (d) => ({ sha256: d?.sha256 ?? null, sizeBytes: d?.sizeBytes ?? null }),
    );
    return json(200, status);
  }
  if (request.method === 'POST') {
    const result = await brokerManifest(clients, settings(), jobId);
    const { versionId, sha256, sizeBytes, unchanged } = result;
    log.info({ event: 'manifest-brokered', jobId, versionId, sha256, sizeBytes, unchanged });
    return json(unchanged ? 200 : 201, result);
  }
  if (request.method === 'GET') throw readNotServedHere();
  throw methodNotAllowed();
}

/** `POST /jobs/{jobId}/manifest`, `GET /manifests`. It writes only: GET of a manifest is served by the API as the caller. */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('manifest', event, route);
