import { SETUP_HINT } from './testing.constants';

/**
 * Thrown when a launcher cannot find the server binary it needs. The message names the
 * binary, the Debian package that ships it and the setup script.
 */
export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';

  constructor(
    readonly binary: string,
    readonly debianPackage: string,
  ) {
    super(
      `${binary} not found: install the Debian package '${debianPackage}' (run ${SETUP_HINT} as root)`,
    );
  }
}
