// The benchmarks' floor worker (bench/floor.mjs starts it):
//   GET  /noop     answers 204: a worker request and nothing else.
//   GET  /select1  answers one D1 `SELECT 1`: a request and one D1 round trip.
//   POST /forward  {target, bodies: [..]}: queues one message per body (sendBatch by 100); the
//                  queue consumer POSTs each body to `target`, a batch's posts concurrently. What a
//                  webhook delivery costs with nothing of SEL's (no claim, no signature, no log).
//                  Each post carries `x-queued-at`, when the request that queued it arrived (ms),
//                  so the receiver measures the floor's own latency as SEL's is measured (from the
//                  time of the request that made the event).
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/noop') return new Response(null, { status: 204 });
    if (pathname === '/select1') {
      const row = await env.DB.prepare('SELECT 1 AS one').first();
      return Response.json(row);
    }
    if (pathname === '/forward' && request.method === 'POST') {
      const queuedAt = Date.now();
      const { target, bodies } = await request.json();
      const messages = bodies.map((body) => ({ body: { target, body, queuedAt } }));
      for (let i = 0; i < messages.length; i += 100) await env.FORWARDS.sendBatch(messages.slice(i, i + 100));
      return new Response(null, { status: 202 });
    }
    return new Response('not found', { status: 404 });
  },

  async queue(batch) {
    await Promise.all(batch.messages.map(async (message) => {
      const { target, body, queuedAt } = message.body;
      const headers = { 'content-type': 'application/json', 'x-queued-at': String(queuedAt) };
      const res = await fetch(target, { method: 'POST', headers, body });
      await res.arrayBuffer();
      message.ack();
    }));
  },
};
