/** `tricloud/client`: read the windows from whichever cloud answers (see read-client.ts). */

export { type Answered, type Attempt, askInTurn, type FailoverOptions } from './failover.ts';
export {
  BadReadRequest,
  type ClientPage,
  createReadClient,
  DEFAULT_DEADLINE_MS,
  NoCloudAnswered,
  type ReadClientOptions,
  type ReadEndpoint,
  type ReadWindow,
  type WindowsRequest,
} from './read-client.ts';
export { parseTime } from './time.ts';
