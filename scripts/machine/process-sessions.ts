/**
 * Process sessions, seen through `ps`. An emulator is spawned as the leader of a new session, and whatever it
 * starts stays in that session even if it changes process group, so the session is what we enumerate to know
 * whether anything is still alive, to signal every process group in it, and to measure its memory.
 *
 * Zombies are not counted as alive: in a container whose init does not reap, they would linger forever.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProcessInfo {
  pid: number;
  pgid: number;
  sid: number;
  rssBytes: number;
  command: string;
}

const psArgs = ['-eo', 'pid=,pgid=,sid=,stat=,rss=,comm='];

function parse(stdout: string): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const line of stdout.split('\n')) {
    const [pid, pgid, sid, stat, rssKb, ...command] = line.trim().split(/\s+/);
    if (
      pid === undefined ||
      pgid === undefined ||
      sid === undefined ||
      stat === undefined ||
      rssKb === undefined
    ) {
      continue;
    }
    if (stat.startsWith('Z')) continue;
    processes.push({
      pid: Number(pid),
      pgid: Number(pgid),
      sid: Number(sid),
      rssBytes: Number(rssKb) * 1024,
      command: command.join(' '),
    });
  }
  return processes;
}

/** Every live (non-zombie) process on the machine. */
export async function listProcesses(): Promise<ProcessInfo[]> {
  const { stdout } = await run('ps', psArgs, { maxBuffer: 16 * 1024 * 1024 });
  return parse(stdout);
}

/** The live members of session `sid`. */
export async function sessionMembers(sid: number): Promise<ProcessInfo[]> {
  return (await listProcesses()).filter((p) => p.sid === sid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Sends `signal` to every process group of session `sid`; a session that is already gone is not an error. */
export async function signalSession(sid: number, signal: NodeJS.Signals): Promise<void> {
  const groups = new Set((await sessionMembers(sid)).map((p) => p.pgid));
  groups.add(sid);
  for (const group of groups) signalGroup(group, signal);
}
