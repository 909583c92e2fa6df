import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFakeServer, type FakeServer } from '../fake/server.js';

/** One fake server for the file, reset before each test; call the returned function inside a test. */
export function fakeServerForFile(): () => FakeServer {
  let server: FakeServer | undefined;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => server?.reset());
  return () => server!;
}
