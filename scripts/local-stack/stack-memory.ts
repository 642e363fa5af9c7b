/** The stack's resident memory: this Node process (in-process servers included) plus the emulators' sessions. */
import { listProcesses } from '../machine/process-sessions.ts';

export interface StackMemory {
  /** This process: runtime, SDK clients and the in-process servers (SQS, DynamoDB, Cosmos DB, Event Hubs). */
  nodeRssBytes: number;
  /** The Java emulators with their gcloud wrappers. */
  childRssBytes: number;
  totalRssBytes: number;
}

export async function measureStackMemory(childSessions: readonly number[]): Promise<StackMemory> {
  const groups = new Set(childSessions);
  const childRssBytes = (await listProcesses())
    .filter((p) => groups.has(p.sid))
    .reduce((sum, p) => sum + p.rssBytes, 0);
  const nodeRssBytes = process.memoryUsage.rss();
  return { nodeRssBytes, childRssBytes, totalRssBytes: nodeRssBytes + childRssBytes };
}
