import { JOB_ID_PATTERN, MANIFEST_HEADERS } from '../../contract/api';
import { readFailureCode, unlockCodeFailureTemplate, unlockCodeRequestTemplate } from '../../policies/vault-reads';
import { synthBroker } from '../helpers/synth';

/**
 * The GET routes run no broker code: API Gateway reads each vault with the caller's own
 * credentials (an AWS service integration with credentials passthrough), and its mapping
 * templates keep the broker's answers. The templates are proven here by their structure; the
 * sandbox's gateway applies the same table (policies/vault-reads.ts) end to end.
 */
const { template } = synthBroker();
const raw = template.toJSON() as { Resources: Record<string, any> };
const methods = Object.values(raw.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
const pathOf = (m: any) => {
  const parts: string[] = [];
  let id = m.Properties.ResourceId.Ref as string | undefined;
  while (id && raw.Resources[id]) {
    parts.unshift(raw.Resources[id].Properties.PathPart);
    id = raw.Resources[id].Properties.ParentId?.Ref;
  }
  return `/${parts.join('/')}`;
};
const method = (verb: string, path: string) => methods.find((m) => m.Properties.HttpMethod === verb && pathOf(m) === path)!;
const uriText = (m: any) => JSON.stringify(m.Properties.Integration.Uri);

describe('GET of a credential: API Gateway reads the vault as the caller', () => {
  it.each([
    ['/jobs/{jobId}/unlock-code', 'secretsmanager:action/GetSecretValue'],
    ['/jobs/{jobId}/manifest', ':s3:path/'],
  ])("GET %s is an AWS integration with the caller's credentials (%s), no Lambda", (path, uri) => {
    const get = method('GET', path);
    expect(get.Properties.AuthorizationType).toBe('AWS_IAM');
    expect(get.Properties.Integration.Type).toBe('AWS');
    expect(get.Properties.Integration.Credentials).toBe('arn:aws:iam::*:user/*');
    expect(uriText(get)).toContain(uri);
    expect(uriText(get)).not.toContain('lambda');
    expect(get.Properties.RequestParameters).toEqual({ 'method.request.path.jobId': true });
  });

  it('POST still brokers through the function', () => {
    for (const path of ['/jobs/{jobId}/unlock-code', '/jobs/{jobId}/manifest']) {
      expect(method('POST', path).Properties.Integration.Type).toBe('AWS_PROXY');
    }
  });

  it('reads the job secret by prefix + job id only when the path is a job id, else names no secret', () => {
    const request = method('GET', '/jobs/{jobId}/unlock-code').Properties.Integration.RequestTemplates['application/json'];
    expect(request).toBe(unlockCodeRequestTemplate('snowball/unlock-code/'));
    expect(request).toContain(`.matches('${JOB_ID_PATTERN.source}')`);
    expect(request).toContain('{"SecretId":"snowball/unlock-code/$jobId"}');
    expect(request).toContain('{"SecretId":""}');
  });

  it('answers {jobId, unlockCode} with Cache-Control no-store, and each Secrets Manager failure as the broker code with its status', () => {
    const integration = method('GET', '/jobs/{jobId}/unlock-code').Properties.Integration;
    const ok = integration.IntegrationResponses.find((r: any) => r.StatusCode === '200');
    expect(ok.ResponseParameters).toMatchObject({
      'method.response.header.Cache-Control': "'no-store'",
      'method.response.header.Content-Type': "'application/json'",
    });
    expect(ok.ResponseTemplates['application/json']).toContain('{"jobId":"$jobId","unlockCode":"$code"}');
    const failure = integration.IntegrationResponses.find((r: any) => r.SelectionPattern);
    expect(failure.ResponseTemplates['application/json']).toBe(unlockCodeFailureTemplate());
    const text: string = failure.ResponseTemplates['application/json'];
    for (const [type, status, code] of [
      ['ResourceNotFoundException', 404, 'NothingStored'],
      ['InvalidRequestException', 404, 'ScheduledForDeletion'],
      ['AccessDeniedException', 403, 'AccessDenied'],
    ] as const) {
      expect(text).toMatch(
        new RegExp(
          `contains\\('${type}'\\)\\)\\n#set\\(\\$context.responseOverride.status = ${status}\\)\\n\\{"error":\\{"code":"${code}"`,
        ),
      );
    }
    expect(text).toMatch(/#set\(\$context.responseOverride.status = 400\)\n\{"error":\{"code":"InvalidJobId"/);
  });

  it('answers the manifest bytes with the SHA-256 the function recorded in the object metadata, and S3 failures as the broker codes', () => {
    const integration = method('GET', '/jobs/{jobId}/manifest').Properties.Integration;
    expect(JSON.stringify(integration.Uri)).toContain('/manifests/{jobId}/manifest.bin');
    const ok = integration.IntegrationResponses.find((r: any) => r.StatusCode === '200');
    expect(ok.ResponseParameters).toMatchObject({
      [`method.response.header.${MANIFEST_HEADERS.sha256}`]: 'integration.response.header.x-amz-meta-sha256',
      [`method.response.header.${MANIFEST_HEADERS.versionId}`]: 'integration.response.header.x-amz-version-id',
      'method.response.header.Cache-Control': "'no-store'",
    });
    const bySelection = Object.fromEntries(
      integration.IntegrationResponses.filter((r: any) => r.SelectionPattern).map((r: any) => [
        r.SelectionPattern,
        r.ResponseTemplates['application/json'],
      ]),
    );
    expect(bySelection['404']).toContain('"code":"NothingStored"');
    expect(bySelection['403']).toContain('"code":"AccessDenied"');
    expect(integration.RequestTemplates['application/json']).toContain('#set($context.requestOverride.path.jobId = "invalid-job-id")');
  });

  it('declares every status and header the templates answer with', () => {
    for (const path of ['/jobs/{jobId}/unlock-code', '/jobs/{jobId}/manifest']) {
      const statuses = method('GET', path).Properties.MethodResponses.map((r: any) => r.StatusCode);
      expect(statuses).toEqual(expect.arrayContaining(['200', '400', '403', '404', '429', '500']));
    }
  });
});

describe('the read failure table the sandbox shares', () => {
  it.each([
    ['unlockCode', { errorType: 'ResourceNotFoundException' }, 'NothingStored'],
    ['unlockCode', { errorType: 'InvalidRequestException' }, 'ScheduledForDeletion'],
    ['unlockCode', { errorType: 'AccessDeniedException' }, 'AccessDenied'],
    ['unlockCode', { errorType: 'InternalServiceError' }, 'InternalError'],
    ['manifest', { status: 404 }, 'NothingStored'],
    ['manifest', { status: 403 }, 'AccessDenied'],
    ['manifest', { status: 400 }, 'InternalError'],
  ] as const)('%s %j → %s', (kind, answer, code) => {
    expect(readFailureCode(kind, answer)).toBe(code);
  });
});
