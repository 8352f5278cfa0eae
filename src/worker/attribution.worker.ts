// The worker shell: the protocol served on this worker's global scope, with the browser's model sources.

import { browserModelHost } from './modelLoader';
import { serveEngine, type Endpoint } from './serve';

serveEngine(self as unknown as Endpoint, browserModelHost);
