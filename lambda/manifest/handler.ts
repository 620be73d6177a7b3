import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_MANIFEST_MAX_BYTES, ENV, MANIFEST_HEADERS } from '../../lib/contract';
import { assertCallerIsRole } from '../shared/caller';
import { once, positiveIntEnv, requireEnv } from '../shared/env';
import { methodNotAllowed } from '../shared/errors';
import { binary, json, respond, type BrokerRequest } from '../shared/http';
import { audit, log } from '../shared/log';
import { clients } from './clients';
import { brokerManifest, getManifest, type ManifestSettings } from './core';
import { isAcceptableExtraOrigin } from './download';

export function settingsFromEnv(env: NodeJS.ProcessEnv): ManifestSettings {
  const extraOrigin = env[ENV.manifestExtraOrigin] || undefined;
  if (extraOrigin !== undefined && !isAcceptableExtraOrigin(extraOrigin)) {
    throw new Error(`${ENV.manifestExtraOrigin} must be an https origin or an http loopback origin`);
  }
  return {
    bucket: requireEnv(env, ENV.manifestBucket),
    readerRoleArn: requireEnv(env, ENV.manifestReaderRoleArn),
    download: {
      maxBytes: positiveIntEnv(env, ENV.manifestMaxBytes, DEFAULT_MANIFEST_MAX_BYTES),
      timeoutMs: positiveIntEnv(env, ENV.manifestDownloadTimeoutMs, 15_000),
      extraOrigin,
    },
  };
}

const settings = once(() => settingsFromEnv(process.env));

async function route(request: BrokerRequest): Promise<APIGatewayProxyResult> {
  const { jobId, caller } = request;
  const { readerRoleArn } = settings();
  assertCallerIsRole(caller, readerRoleArn);
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

/** `GET|POST /jobs/{jobId}/manifest` */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => respond('manifest', event, route);
