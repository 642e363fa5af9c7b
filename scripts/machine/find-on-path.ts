/** Finding commands the CLI and tests need (gcloud, java, terraform, az, chromium) the way a shell would. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/** Whether `file` exists and may be executed. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of `command` on `searchPath` (default: this process's PATH), or undefined. */
export async function findOnPath(
  command: string,
  searchPath: string | undefined = process.env.PATH,
): Promise<string | undefined> {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, process.platform === 'win32' ? `${command}.exe` : command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}
