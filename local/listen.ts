// Listening on loopback for the local servers (cloud, gateway, receiver), with a port already taken reported as a
// rejection the caller can explain, not as an unhandled 'error' event that kills the process with a stack trace.
import type { Server } from 'node:net';

export class PortInUse extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use`);
  }
}

export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUse(port) : e);
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
}
