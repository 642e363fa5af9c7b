/**
 * The three read functions served on local ports, each behind what runs it in the cloud where that runs here:
 * the AWS handler behind a Lambda Function URL's request-to-event translation (payload format 2.0), the GCP
 * function inside the real Functions Framework server, the Azure handler given the worker's `HttpRequest`.
 *
 * Authentication stands in for the clouds' (IAM signatures, IAM identity tokens, function keys), which cannot run
 * here: each endpoint refuses, with 401 as the platforms do, a request without the stack's read credential —
 * `Authorization: Bearer <token>` for AWS and GCP, `x-functions-key: <key>` for Azure. The URLs and credentials
 * go into the env file (`TRICLOUD_READ_URL_*`, `TRICLOUD_READ_TOKEN`, `TRICLOUD_READ_KEY_AZURE`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import azureFunctions, { type HttpRequest, type HttpResponseInit } from '@azure/functions';
import functionsFrameworkTesting from '@google-cloud/functions-framework/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { envNames } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';

/** Each cloud's read entry point, with the signature its platform calls; GCP's is registered by name. */
export interface ReadHandlers {
  aws: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Loads the module that registers the GCP function `read` with the Functions Framework. */
  gcp: () => Promise<unknown>;
  azure: (request: HttpRequest) => Promise<HttpResponseInit>;
}

export interface ReadHosts {
  urls: Record<Origin, string>;
  /** The env-contract variables a client needs: the URLs and the local credentials. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The read functions as sources, for callers that run without a build. */
export async function sourceReadHandlers(): Promise<ReadHandlers> {
  const [aws, azure] = await Promise.all([
    import('../../functions/aws/read.ts'),
    import('../../functions/azure/read.ts'),
  ]);
  return { aws: aws.handler, gcp: () => import('../../functions/gcp/read.ts'), azure: azure.readWindowsHttp };
}

export async function startReadHosts(handlers: ReadHandlers): Promise<ReadHosts> {
  const token = randomBytes(24).toString('base64url');
  const key = randomBytes(24).toString('base64url');
  const bearer = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;
  await handlers.gcp();
  // The real Functions Framework server for the registered function; requests reach it once allowed.
  const framework = functionsFrameworkTesting.getTestServer('read');
  const servers = {
    aws: await listen(guard(bearer, (req, res) => serveAws(handlers.aws, req, res))),
    gcp: await listen(
      guard(bearer, (req, res) => {
        framework.emit('request', req, res);
      }),
    ),
    azure: await listen(
      guard(
        (req) => req.headers['x-functions-key'] === key,
        (req, res) => serveAzure(handlers.azure, req, res),
      ),
    ),
  };
  const urls = {
    aws: `${base(servers.aws)}/`,
    gcp: `${base(servers.gcp)}/`,
    azure: `${base(servers.azure)}/api/windows`,
  };
  return {
    urls,
    env: {
      [envNames.aws.readUrl]: urls.aws,
      [envNames.gcp.readUrl]: urls.gcp,
      [envNames.azure.readUrl]: urls.azure,
      [envNames.azure.readKey]: key,
      [envNames.read.localToken]: token,
    },
    async stop() {
      await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.close(r))));
    },
  };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

function guard(allowed: (req: IncomingMessage) => boolean, serve: Listener): Listener {
  return async (req, res) => {
    if (!allowed(req)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
      return;
    }
    try {
      await serve(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  };
}

/** A Function URL's translation: the request as an API Gateway v2 event, the result back as the response. */
async function serveAws(handler: ReadHandlers['aws'], req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    queryStringParameters: Object.fromEntries(url.searchParams),
    headers,
    isBase64Encoded: false,
    requestContext: { http: { method: req.method ?? 'GET', path: url.pathname } },
  } as unknown as APIGatewayProxyEventV2;
  const result = await handler(event);
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>).end(result.body ?? '');
}

/** The Functions host's translation: the request as the worker's `HttpRequest`. */
async function serveAzure(handler: ReadHandlers['azure'], req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  // A CommonJS package: its classes through the default export, which Node's ESM loader always provides.
  const request = new azureFunctions.HttpRequest({
    method: req.method ?? 'GET',
    url: url.toString(),
    headers,
  });
  const result = await handler(request);
  const body = typeof result.body === 'string' ? result.body : '';
  res.writeHead(result.status ?? 200, (result.headers ?? {}) as Record<string, string>).end(body);
}

function listen(listener: Listener): Promise<Server> {
  const server = createServer((req, res) => void listener(req, res));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function base(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
