import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export interface DirectoryLock {
  release(): void;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * An exclusive lock file (O_EXCL) holding the owner's pid. A lock left by a dead process is taken
 * over; a live owner is waited for up to `waitMs`, then a clear error names it.
 */
export async function acquireDirectoryLock(lockPath: string, waitMs: number): Promise<DirectoryLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, "utf8") === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    } catch {
      continue; // Removed between our attempts: try again at once.
    }
    if (!Number.isInteger(owner) || !processIsAlive(owner) || owner === process.pid) {
      if (owner === process.pid) {
        throw new Error(`the embedded database is already open in this process (lock ${lockPath})`);
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // Another process took it over first.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(`the embedded database is in use by process ${owner} (lock ${lockPath}); stop it or set DATABASE_URL`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid of the live process holding the lock at `lockPath`, or null when none holds it. */
export function readDirectoryLockOwner(lockPath: string): number | null {
  let owner: number;
  try {
    owner = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
  } catch {
    return null;
  }
  return Number.isInteger(owner) && owner !== process.pid && processIsAlive(owner) ? owner : null;
}
