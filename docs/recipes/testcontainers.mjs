// Node + testcontainers (npm install --save-dev testcontainers): one emulator for the suite.
import { GenericContainer, Wait } from 'testcontainers';

const ADMIN_TOKEN = 'test-admin-token';

const container = await new GenericContainer('nhn-ocr-emulator')
  .withExposedPorts(8080)
  .withEnvironment({ EMULATOR_ADMIN_TOKEN: ADMIN_TOKEN })
  .withWaitStrategy(Wait.forHttp('/__emulator/health', 8080).forStatusCode(200))
  .start();
const baseUrl = `http://${container.getHost()}:${container.getMappedPort(8080)}`;

// Before each test: forget queued scenarios, Request-Keys and clock moves.
await fetch(`${baseUrl}/__emulator/reset`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
// ... the tests, against baseUrl with appKey emulator-appkey and secret key emulator-secretkey ...
await container.stop();
