import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MANIFEST_HEADERS } from '../../lib/contract';
import { assertCallerIsRole } from '../shared/caller';
import { once } from '../shared/env';
import { methodNotAllowed } from '../shared/errors';
import { fleetStatus } from '../shared/fleet-status';
import { binary, json, respond, type BrokerRequest } from '../shared/http';
import { audit, log } from '../shared/log';
import { clients } from './clients';
import { brokerManifest, getManifest } from './core';
import { manifestDetails } from './lifecycle';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId, caller } = request;
  const { readerRoleArn } = settings();
  assertCallerIsRole(caller, readerRoleArn);
  if (request.fleet) {
    if (request.method !== 'GET') throw methodNotAllowed();
    const status = await fleetStatus(clients.snowball, (ids) => manifestDetails(clients.s3, settings().bucket, ids), (d) => ({ sha256: d?.sha256 ?? null, sizeBytes: d?.sizeBytes ?? null }));
    return json(200, status);
  }
  if (request.method === 'POST') {
    const result = await brokerManifest(clients, settings(), jobId);
    const { versionId, sha256, sizeBytes, unchanged } = result;
    log.info({ event: 'manifest-brokered', jobId, caller, versionId, sha256, sizeBytes, unchanged });
    return json(unchanged ? 200 : 201, result);
  }
  if (request.method === 'GET') {
    const stored = await getManifest(clients, settings(), jobId);
    audit('read-manifest', jobId, caller);
    return binary(stored.bytes, {
      [MANIFEST_HEADERS.sha256]: stored.sha256,
      [MANIFEST_HEADERS.versionId]: stored.versionId,
    });
  }
  throw methodNotAllowed();
}

/** `GET|POST /jobs/{jobId}/manifest`, `GET /manifests` */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('manifest', event, route);
