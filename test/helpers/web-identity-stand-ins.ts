/**
 * Loopback stand-ins for what a sync function on GCP or Azure talks to before it can reach DynamoDB — no public
 * emulator exists for any of them: Google's metadata server (the identity endpoint), an Azure Functions host's
 * managed identity endpoint (IDENTITY_ENDPOINT), and AWS STS answering AssumeRoleWithWebIdentity in its real XML
 * shape (the Query protocol's response and error documents). Each records what it was asked, so a test can check
 * the audience sent, the token traded and how often each was called.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOn } from '../../scripts/machine/free-port.ts';

export interface StandIn {
  url: string;
  /** `host:port`, as GCE_METADATA_HOST takes it. */
  host: string;
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<StandIn> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  const port = await listenOn(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An unsigned JWT with these claims: what STS would verify, it cannot here; what a trust policy matches, it can. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export interface TokenRequest {
  audience: string | null;
  format?: string | null;
  header: string | undefined;
}

/** Google's metadata server: an ID token of the instance's service account for the audience asked for. */
export async function startMetadataServer(
  serviceAccountId = '112233445566778899000',
): Promise<StandIn & { requests: TokenRequest[]; tokens: string[] }> {
  const requests: TokenRequest[] = [];
  const tokens: string[] = [];
  const standIn = await serve((req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    const header = req.headers['metadata-flavor'] as string | undefined;
    requests.push({
      audience: url.searchParams.get('audience'),
      format: url.searchParams.get('format'),
      header,
    });
    if (url.pathname !== '/computeMetadata/v1/instance/service-accounts/default/identity') {
      res.writeHead(404).end('Not Found');
    } else if (header !== 'Google') {
      res.writeHead(403).end('Missing Metadata-Flavor:Google header.');
    } else if (!url.searchParams.get('audience')) {
      res.writeHead(400).end('non-empty audience parameter required');
    } else {
      const token = fakeJwt({
        iss: 'https://accounts.google.com',
        aud: url.searchParams.get('audience'),
        azp: serviceAccountId,
        sub: serviceAccountId,
        n: tokens.length,
      });
      tokens.push(token);
      res.writeHead(200, { 'content-type': 'text/html' }).end(token);
    }
  });
  return Object.assign(standIn, { requests, tokens });
}

/** An Azure Functions host's managed identity endpoint (api-version 2019-08-01), guarded by IDENTITY_HEADER. */
export async function startManagedIdentityEndpoint(
  identityHeader: string,
  principalId = '00000000-1111-2222-3333-444444444444',
): Promise<StandIn & { requests: TokenRequest[]; tokens: string[] }> {
  const requests: TokenRequest[] = [];
  const tokens: string[] = [];
  const standIn = await serve((req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://identity');
    const header = req.headers['x-identity-header'] as string | undefined;
    const resource = url.searchParams.get('resource');
    requests.push({ audience: resource, header });
    if (header !== identityHeader || url.searchParams.get('api-version') !== '2019-08-01') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          statusCode: 400,
          message: 'The request is invalid: identity header or api-version.',
        }),
      );
      return;
    }
    const token = fakeJwt({
      iss: 'https://login.microsoftonline.com/tenant-id/v2.0',
      aud: resource,
      sub: principalId,
      oid: principalId,
      n: tokens.length,
    });
    tokens.push(token);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ access_token: token, expires_on: '1700003600', resource, token_type: 'Bearer' }),
    );
  });
  return Object.assign(standIn, { requests, tokens });
}

export interface StsCall {
  params: URLSearchParams;
  authorization: string | undefined;
}

export interface StsAnswer {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * STS, for AssumeRoleWithWebIdentity only: `answer` decides each call's credentials, or an error (code, message,
 * HTTP status) sent as STS's ErrorResponse document.
 */
export async function startSts(
  answer: (call: StsCall, n: number) => StsAnswer | { code: string; message: string; status: number },
): Promise<StandIn & { calls: StsCall[] }> {
  const calls: StsCall[] = [];
  const standIn = await serve((req, body, res) => {
    const call = { params: new URLSearchParams(body), authorization: req.headers.authorization };
    calls.push(call);
    const result = answer(call, calls.length);
    if ('code' in result) {
      res.writeHead(result.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${result.code}</Code><Message>${result.message}</Message></Error><RequestId>r-${calls.length}</RequestId></ErrorResponse>`,
      );
      return;
    }
    const role = call.params.get('RoleArn') ?? '';
    const session = call.params.get('RoleSessionName') ?? '';
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>subject</SubjectFromWebIdentityToken>
    <Audience>audience</Audience>
    <AssumedRoleUser>
      <Arn>${role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}</Arn>
      <AssumedRoleId>AROAEXAMPLEROLEID:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${result.sessionToken}</SessionToken>
      <SecretAccessKey>${result.secretAccessKey}</SecretAccessKey>
      <Expiration>${result.expiration.toISOString()}</Expiration>
      <AccessKeyId>${result.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>provider</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>r-${calls.length}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
  });
  return Object.assign(standIn, { calls });
}

export interface GoogleTokenCall {
  path: string;
  authorization: string | undefined;
  body: string;
}

/**
 * Google's STS (`/v1/token`, the OAuth token exchange) and IAM Credentials (`…:generateAccessToken`, service account
 * impersonation) on one loopback server: the exchange answers with a federated token, the impersonation, when it
 * carries that token, with the service account's.
 */
export async function startGoogleTokenServices(): Promise<StandIn & { calls: GoogleTokenCall[] }> {
  const calls: GoogleTokenCall[] = [];
  const standIn = await serve((req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://google').pathname;
    calls.push({ path, authorization: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    if (path === '/v1/token') {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' ||
        !form.get('subject_token')
      ) {
        res.writeHead(400).end(JSON.stringify({ error: 'invalid_request' }));
        return;
      }
      res.end(
        JSON.stringify({
          access_token: 'federated-access-token',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    } else if (
      path.endsWith(':generateAccessToken') &&
      req.headers.authorization === 'Bearer federated-access-token'
    ) {
      res.end(JSON.stringify({ accessToken: 'service-account-token', expireTime: '2099-01-01T00:00:00Z' }));
    } else {
      res.writeHead(403).end(JSON.stringify({ error: { code: 403, message: 'Permission denied' } }));
    }
  });
  return Object.assign(standIn, { calls });
}
