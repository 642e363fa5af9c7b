/**
 * GCP read: a 2nd-gen HTTP Cloud Function whose invoker is an IAM role, so only callers with an identity token of
 * an allowed principal reach it. The Functions Framework hands over an Express request.
 */
import { http, type Request, type Response } from '@google-cloud/functions-framework';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import { readOwnStoreSettings } from '../../shared/config/environment.ts';
import { readRuntime } from '../read-runtime.ts';

const read = readRuntime('gcp', () => createGcpStores(readOwnStoreSettings('gcp').gcp));

export async function readWindowsHttp(req: Request, res: Response): Promise<void> {
  const answer = await read({
    query: (name) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined),
    ...(req.get('if-none-match') ? { ifNoneMatch: req.get('if-none-match')! } : {}),
  });
  res.status(answer.status).set(answer.headers).send(answer.body);
}

http('read', readWindowsHttp);
