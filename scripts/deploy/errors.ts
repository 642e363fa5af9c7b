/** Errors of `tricloud deploy` and `tricloud destroy`, with messages that say what to do. */

/** The `terraform` binary is not on PATH: the message says how to install it. */
export class MissingTerraformError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MissingTerraformError';
  }
}

/** No credentials for the cloud were found: the message names the ways to provide them. */
export class MissingCredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MissingCredentialsError';
  }
}

/** A deployable the Terraform needs is not built, or a Terraform step failed. */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployError';
  }
}
