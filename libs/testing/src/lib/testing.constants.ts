import { join, resolve } from 'node:path';

/** Root of the repository (this file is libs/testing/src/lib/testing.constants.ts). */
export const REPO_ROOT = resolve(__dirname, '../../../..');

/** The stack scripts (tools/stack/*.sh). */
export const STACK_DIR = join(REPO_ROOT, 'tools/stack');

/** The command that installs every server binary the launchers need. */
export const SETUP_HINT = 'bash tools/setup/setup.sh';

/** Loopback address every launcher binds to. */
export const LOOPBACK = '127.0.0.1';

/** Default Elasticsearch URL used when `ES_URL` is not set. */
export const DEFAULT_ES_URL = 'http://127.0.0.1:9200';
