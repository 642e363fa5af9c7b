/** Errors of the local stack, with messages that say what to do. */

/** A tool the stack needs is not installed: the message names it and how to install it. */
export class MissingPrerequisiteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MissingPrerequisiteError';
  }
}

/** A server did not start or did not answer in time; the message carries the tail of its output. */
export class ServerStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerStartError';
  }
}
