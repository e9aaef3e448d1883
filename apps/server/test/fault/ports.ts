// Spare loopback ports for the private services and processes of fault-injection tests.
import { createServer } from 'node:net';

/** A port nothing listens on right now (the OS picks it; we release it at once). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
