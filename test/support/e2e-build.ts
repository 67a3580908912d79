import { fileURLToPath } from 'node:url';

/** Where the e2e global setup builds the server (gitignored). */
export const E2E_OUT_DIR = fileURLToPath(new URL('../../.e2e-dist', import.meta.url));
export const E2E_MAIN = `${E2E_OUT_DIR}/src/main.js`;
export const EXAMPLE_MAIN = `${E2E_OUT_DIR}/examples/moderated-room/main.js`;
export const GUARDED_HOST_MAIN = `${E2E_OUT_DIR}/test/fixtures/guarded-host.js`;
