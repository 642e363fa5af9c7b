/**
 * Google's Pub/Sub and Firestore emulators as child processes, and the guarantee that none outlives the stack.
 *
 * `gcloud … emulators … start` is a Python process that starts Java as a grandchild (through a shell script, for
 * Firestore), so killing the child we spawned would orphan the JVM. gcloud is therefore spawned `detached`, which
 * makes it the leader of a new session and process group that its JVM shares, and the group is what is signalled:
 *  - on `stop()`: SIGTERM to the JVM alone, so that its parent (gcloud, or Firestore's launcher script) reaps it
 *    and then exits by itself: signalling the whole group kills gcloud first and leaves the dying JVM to init,
 *    which shows as a `[java] <defunct>` until init gets round to it. SIGKILL to whatever is left in the session
 *    after a grace period;
 *  - when this Node process exits for any reason it can observe: SIGINT from an `exit` hook;
 *  - when this Node process is killed outright (SIGKILL, a crash of the runtime): a watchdog `sh` notices within a
 *    second that its parent is gone and signals the group, SIGINT and then SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { findFreePort } from '../machine/free-port.ts';
import { sessionMembers, signalSession } from '../machine/process-sessions.ts';
import { waitUntil } from '../machine/wait-until.ts';
import { ServerStartError } from './errors.ts';
import type { GoogleEmulator } from './prerequisites.ts';

export interface EmulatorProcess {
  emulator: GoogleEmulator;
  /** `host:port`, the form `PUBSUB_EMULATOR_HOST` and `FIRESTORE_EMULATOR_HOST` take. */
  hostPort: string;
  /** The session (and process group) of gcloud and its JVM; its id is gcloud's pid. */
  session: number;
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  projectId: string;
  host: string;
  /** Tried first; a taken port falls back to a free one. */
  preferredPort?: number;
  timeoutMs: number;
}

/**
 * Watches `$1` (the stack's pid) and `$2` (the emulator's process group): exits when the group is gone, signals it
 * when the stack is gone. Polling once a second is the portable way for `sh` to notice a dead parent.
 */
const watchdogScript = `while kill -0 "$1" 2>/dev/null && kill -0 -"$2" 2>/dev/null; do sleep 1; done
if kill -0 -"$2" 2>/dev/null; then
  kill -INT -"$2" 2>/dev/null
  sleep 5
  kill -KILL -"$2" 2>/dev/null
fi
`;

const runningSessions = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all there is time for; gcloud then reaps its JVM.
  process.on('exit', () => {
    for (const session of runningSessions) {
      try {
        process.kill(-session, 'SIGINT');
      } catch {
        // already gone
      }
    }
  });
}

function startWatchdog(group: number): ChildProcess {
  const watchdog = spawn(
    'sh',
    ['-c', watchdogScript, 'tricloud-emulator-watchdog', String(process.pid), String(group)],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.unref();
  return watchdog;
}

function gcloudArgs(emulator: GoogleEmulator, hostPort: string, projectId: string): string[] {
  return emulator === 'pubsub'
    ? ['beta', 'emulators', 'pubsub', 'start', `--host-port=${hostPort}`, `--project=${projectId}`]
    : ['emulators', 'firestore', 'start', `--host-port=${hostPort}`, `--project=${projectId}`];
}

const portTakenPattern = /BindException|address already in use|port .* (?:is )?(?:already )?in use/i;

async function stopSession(session: number, watchdog: ChildProcess, graceMs = 10_000): Promise<void> {
  const gone = async (): Promise<true | undefined> =>
    (await sessionMembers(session)).length === 0 ? true : undefined;
  const jvms = (await sessionMembers(session)).filter((p) => p.pid !== session && p.command === 'java');
  try {
    if (jvms.length > 0) for (const jvm of jvms) process.kill(jvm.pid, 'SIGTERM');
    else process.kill(-session, 'SIGINT');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  try {
    await waitUntil(gone, { description: `the emulator session ${session} to exit`, timeoutMs: graceMs });
  } catch {
    await signalSession(session, 'SIGKILL');
    await waitUntil(gone, { description: `session ${session} to exit after SIGKILL`, timeoutMs: 5_000 });
  }
  runningSessions.delete(session);
  watchdog.kill();
}

async function startOnce(emulator: GoogleEmulator, port: number, options: StartEmulatorOptions) {
  const hostPort = `${options.host}:${port}`;
  const child: ChildProcess = spawn('gcloud', gcloudArgs(emulator, hostPort, options.projectId), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No prompt may ever block a child nobody can answer.
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  const session = child.pid;
  if (session === undefined) {
    throw new ServerStartError(`Could not spawn gcloud for the ${emulator} emulator.`);
  }
  runningSessions.add(session);
  installExitHook();
  const watchdog = startWatchdog(session);

  // Keep the tail of the output for error messages; reading it also keeps the pipes from filling up.
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal !== null ? -1 : null);
  });
  // The stack's event loop is held open by its servers, not by the emulators' pipes.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();

  try {
    await waitUntil(
      async () => {
        const response = await fetch(`http://${hostPort}/`, { signal: AbortSignal.timeout(1_000) });
        return response.ok ? true : undefined;
      },
      {
        description: `the ${emulator} emulator to answer on ${hostPort}`,
        timeoutMs: options.timeoutMs,
        intervalMs: 200,
        abortReason: () => (exitCode !== undefined ? `gcloud exited with code ${exitCode}` : undefined),
      },
    );
  } catch (error) {
    await stopSession(session, watchdog);
    return { ok: false as const, portTaken: portTakenPattern.test(output), output, error };
  }
  const stop = (): Promise<void> => stopSession(session, watchdog);
  return { ok: true as const, process: { emulator, hostPort, session, stop } };
}

/** Starts one emulator and resolves once it answers HTTP on its port. */
export async function startGcloudEmulator(
  emulator: GoogleEmulator,
  options: StartEmulatorOptions,
): Promise<EmulatorProcess> {
  const attempts = 3;
  let port = options.preferredPort ?? (await findFreePort(options.host));
  for (let attempt = 1; ; attempt++) {
    const result = await startOnce(emulator, port, options);
    if (result.ok) return result.process;
    // A port found free can be taken by another process before the JVM binds it, and the emulator does not
    // always say so; any failed start is retried on a fresh port.
    if (attempt >= attempts) {
      throw new ServerStartError(
        `The ${emulator} emulator did not start on ${options.host}:${port}. Its last output:\n${result.output.trim()}`,
        { cause: result.error },
      );
    }
    port = await findFreePort(options.host);
  }
}
