// Preloaded into the Portkey gateway by bench/gateway.sh (node --import). 1. Its server listens on every
// interface by default; benchmarks touch only loopback, so every listen() is pinned to 127.0.0.1.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object') args[0] = { ...args[0], host: '127.0.0.1' };
  else if (typeof args[1] === 'string' || args[1] === undefined || args[1] === null) args[1] = '127.0.0.1';
  else args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};

// Portkey 1.15.2 on Node 20 appends its x-portkey-* headers to the upstream fetch() response itself
// on the streaming path, whose headers undici makes immutable ("TypeError: immutable", HTTP 500).
// Re-wrapping each upstream response (same body stream, status and headers) lets streams through.
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const r = await upstreamFetch(...args);
  return new Response(r.body, r);
};
