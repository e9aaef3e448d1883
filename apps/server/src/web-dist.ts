// Where the web app's build is. This module sits directly under src/, as the bundle's files sit
// directly under dist/ (scripts/build-node-app.mjs), so the same relative path holds whether the
// server runs from its sources (tsx) or from its bundle.
import { fileURLToPath } from 'node:url';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
