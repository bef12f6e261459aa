// GET /action remembers a new tenant's profile; PORT=0 picks a free port.
import * as http from 'node:http';
import { remember } from './profiles';

let served = 0;

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === '/action') {
    const profile = remember(`tenant-${served++}`);
    res.end(profile.tenant);
    return;
  }
  res.statusCode = 404;
  res.end();
}

const server = http.createServer(handler);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});
