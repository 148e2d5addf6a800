// The start-up yardstick of `npm run bench`: the least an express app does before its first
// answer (express loaded, one route, listening). Plain JavaScript, run as `node`, as the
// emulator's compiled dist/server/main.js is. PORT from the environment (0: a free one).
import express from 'express';

const app = express();
app.get('/__emulator/health', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = app.listen(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1', () => {
  console.log(`bare express ready at http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
