// The flood of bench/flood.ts, in a process of its own so that it does not starve the legitimate
// client's load generator of the event loop: FLOOD_URL, FLOOD_CONNECTIONS, FLOOD_SECONDS.
import autocannon from 'autocannon';
import { generateSecret } from '../src/core/credentials.ts';

// Distinct made-up credentials, more than the negative cache holds, so each is a real look-up.
const requests = Array.from({ length: 20_000 }, () => ({
  headers: {
    'content-type': 'application/json',
    'x-forwarded-for': '10.9.9.9',
    authorization: `Bearer ${generateSecret('environment')}`,
  },
}));
const result = await autocannon({
  url: process.env.FLOOD_URL!,
  method: 'POST',
  body: '{"audience":["sts.amazonaws.com"]}',
  connections: Number(process.env.FLOOD_CONNECTIONS),
  duration: Number(process.env.FLOOD_SECONDS),
  requests,
});
process.stdout.write(
  `${JSON.stringify({ requests: result['2xx'] + result.non2xx, duration: result.duration })}\n`,
);
