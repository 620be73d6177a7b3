import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4, type Credentials } from '../../sandbox/sigv4';

const REGION = 'us-east-1';
const session: Credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token-1',
  expiration: new Date(Date.now() + 3_600_000),
};

async function signedRequest(credentials: Credentials, headers: Record<string, string> = { host: 'api.local' }) {
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    new HttpRequest({ method: 'GET', protocol: 'http:', hostname: 'api.local', path: '/v1/jobs/x/manifest', headers }),
  );
  const all: Record<string, string> = { host: 'api.local', ...signed.headers };
  return { method: 'GET', path: '/v1/jobs/x/manifest', query: new URLSearchParams(), headers: all, body: Buffer.alloc(0) };
}

const verify = (req: Awaited<ReturnType<typeof signedRequest>>, known: Credentials = session) =>
  verifySigV4(req, new Map([[known.accessKeyId, known]]), REGION, 'execute-api');

describe('SigV4 verification of temporary credentials', () => {
  it('accepts a request signed with the key, secret and session token issued together', async () => {
    expect(await verify(await signedRequest(session))).toMatchObject({ ok: true });
  });

  it('refuses credentials past their expiry', async () => {
    const expired = { ...session, expiration: new Date(Date.now() - 1000) };
    expect(await verify(await signedRequest(expired), expired)).toEqual({ ok: false, failure: 'expiredToken' });
  });

  it('refuses a token that is not the one issued with the key, even when the signature covers it', async () => {
    expect(await verify(await signedRequest({ ...session, sessionToken: 'token-2' }))).toEqual({ ok: false, failure: 'invalidToken' });
  });

  it('refuses a token on a request for a key that was issued without one', async () => {
    const longTerm = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
    expect(await verify(await signedRequest({ ...longTerm, sessionToken: 'anything' }), longTerm)).toEqual({
      ok: false,
      failure: 'invalidToken',
    });
    expect(await verify(await signedRequest(longTerm), longTerm)).toMatchObject({ ok: true });
  });

  it('refuses a signature that does not cover host', async () => {
    const req = await signedRequest(session, {});
    expect(String(req.headers.authorization)).not.toMatch(/SignedHeaders=[^,]*host/);
    expect(await verify(req)).toEqual({ ok: false, failure: 'invalidSignature' });
  });

  it('tells an unknown key from a bad signature', async () => {
    expect(await verify(await signedRequest({ ...session, accessKeyId: 'ASIAOTHER' }))).toEqual({ ok: false, failure: 'unknownKey' });
    expect(await verify(await signedRequest({ ...session, secretAccessKey: 'wrong' }))).toEqual({ ok: false, failure: 'invalidSignature' });
  });
});
