/**
 * The floor: what any Node upload server costs before it does anything. The same stack as the
 * emulator (express 5, multer with memory storage) accepting the same multipart `image` upload,
 * with no crypto at all, answering a small JSON. Run by `npm run bench` as its own process:
 * `PORT=0 node --import tsx test/bench/floor-server.ts`.
 */
import express from 'express';
import multer from 'multer';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 20 * 1024 * 1024 } }).any();

app.post('/v2.0/appkeys/:appKey/:endpoint', upload, (req, res) => {
  const files = (req.files ?? []) as Express.Multer.File[];
  const image = files.find((file) => file.fieldname === 'image');
  res.json({
    header: { isSuccessful: Boolean(image), resultCode: image ? 0 : 4000001, resultMessage: image ? 'SUCCESS' : 'Invalid parameter.' },
    result: { bytes: image?.size ?? 0 },
  });
});
app.get('/__emulator/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`floor server ready at http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
