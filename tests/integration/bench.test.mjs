// sovereign bench against OpenAI-compatible URL targets: a small streaming chat server started on
// 127.0.0.1 by this file (plain text, JSON-mode and tool-call answers, with and without usage, errors).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = process.env.SOV_BIN ?? 'build/sovereign';
const tmp = mkdtempSync(path.join(tmpdir(), 'sov-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The streaming server. Options: usage (send a usage chunk), fail (answer 500), gap (ms of the pause
// after a JSON object or tool call closes, before the answer ends).
function startServer({ usage = true, fail = false, gap = 150 } = {}) {
  const st = { requests: [], inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'no such route' } }));
        return;
      }
      const j = JSON.parse(body);
      st.requests.push({ body: j, headers: req.headers });
      if (fail) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'the model fell over', type: 'server_error' } }));
        return;
      }
      st.inFlight++;
      st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (o) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      const chunk = (delta, finish = null) => send({ id: 'c1', object: 'chat.completion.chunk', model: j.model, choices: [{ index: 0, delta, finish_reason: finish }] });
      chunk({ role: 'assistant', content: '' });
      await sleep(5);
      let pieces = 0;
      let finish = 'stop';
      if (j.tools) {
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
        for (const a of ['{"city":', ' "Oslo",', ' "when": "tomorrow"}']) {
          await sleep(5);
          chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] });
          pieces++;
        }
        finish = 'tool_calls';
        await sleep(gap);
      } else if (j.response_format) {
        for (const a of ['```json\n{"name":', ' "Maria", "tags": ["a}", "b{"],', ' "age": 34}\n```']) {
          await sleep(5);
          chunk({ content: a });
          pieces++;
        }
        await sleep(gap);
      } else {
        for (const w of ['The', ' answer', ' is', ' short', '.']) {
          await sleep(5);
          chunk({ content: w });
          pieces++;
        }
      }
      chunk({}, finish);
      if (usage && j.stream_options?.include_usage)
        send({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 20 + j.messages.length, completion_tokens: pieces, total_tokens: 20 + j.messages.length + pieces } });
      res.write('data: [DONE]\n\n');
      res.end();
      st.inFlight--;
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, st, url: `http://127.0.0.1:${server.address().port}` })));
}

function run(args, { env = {} } = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120000);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

const servers = [];
let plain, nousage, failing;
before(async () => {
  plain = await startServer();
  nousage = await startServer({ usage: false });
  failing = await startServer({ fail: true });
  servers.push(plain, nousage, failing);
});
after(() => {
  for (const s of servers) s.server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

test('--json over the built-in prompt set: every figure, for every request', async () => {
  const before = plain.st.requests.length;
  const r = await run(['bench', '--json', '-c', '2', '-r', '2', '-m', '32', plain.url + '/v1']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'no progress bar when stderr is not a terminal');
  const j = JSON.parse(r.out);
  assert.equal(j.targets.length, 1);
  const t = j.targets[0];
  assert.equal(t.kind, 'url');
  assert.equal(t.requests, 20); // 10 built-in prompts x 2 rounds
  assert.equal(t.ok, 20);
  assert.equal(t.failed, 0);
  assert.equal(t.concurrency, 2);
  assert.equal(t.tokens_estimated, false);
  assert.equal(t.first_error, null);
  for (const k of ['wall_s', 'requests_per_s', 'generated_tokens_per_s']) assert.ok(isNum(t[k]) && t[k] > 0, k);
  for (const k of ['ttft_ms', 'action_ms', 'latency_ms', 'prompt_tokens_per_s', 'gen_tokens_per_s', 'prompt_tokens', 'completion_tokens']) {
    const m = t.metrics[k];
    assert.equal(m.n, 20, k);
    for (const s of ['mean', 'p50', 'p90', 'p99']) assert.ok(isNum(m[s]) && m[s] > 0, `${k}.${s}`);
    assert.ok(m.p50 <= m.p90 && m.p90 <= m.p99, k);
  }
  // usage reported by the server is used as it is
  assert.equal(t.metrics.completion_tokens.p99, 5);
  assert.ok(t.metrics.ttft_ms.p50 <= t.metrics.latency_ms.p50);
  // the built-in set has one JSON-mode and one tool-call prompt; the rest are plain text
  assert.deepEqual(t.actions, { text: 16, json: 2, tool_call: 2 });
  assert.deepEqual(j.settings, { prompts: 10, requests: 20, concurrency: 2, max_tokens: 32 });
  // what was sent: streaming with usage, max_tokens, the default model
  const sent = plain.st.requests.slice(before);
  assert.equal(sent.length, 20);
  for (const s of sent) {
    assert.equal(s.body.stream, true);
    assert.deepEqual(s.body.stream_options, { include_usage: true });
    assert.equal(s.body.max_tokens, 32);
    assert.equal(s.body.model, 'auto');
    assert.equal(s.headers.authorization, undefined);
  }
  assert.equal(sent.filter((s) => s.body.tools).length, 2);
});

test('token-to-action: usable when the JSON object or tool call closes, before the answer ends', async () => {
  const f = path.join(tmp, 'json.jsonl');
  writeFileSync(f, [
    JSON.stringify({ messages: [{ role: 'user', content: 'give json' }], response_format: { type: 'json_object' }, model: 'm1' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'call a tool' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }),
    '',
  ].join('\n'));
  const r = await run(['bench', '--json', '-p', f, '-n', '6', plain.url]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.deepEqual(t.actions, { text: 0, json: 3, tool_call: 3 });
  // the server pauses 150 ms after the object closes and before it ends the answer
  const a = t.metrics.action_ms, l = t.metrics.latency_ms;
  // per request the answer ends >= 150 ms after the object closes, so every order statistic does too
  for (const s of ['p50', 'p90', 'p99']) assert.ok(a[s] + 100 < l[s], `${s}: action ${a[s]} ms vs complete answer ${l[s]} ms`);
  for (const s of ['p50', 'p90', 'p99']) assert.ok(t.metrics.ttft_ms[s] <= a[s], s); // per request ttft <= action, so per order statistic too
});

test('a text answer is usable when it is complete', async () => {
  const f = path.join(tmp, 'text.jsonl');
  writeFileSync(f, JSON.stringify({ prompt: 'Say something short.' }) + '\n');
  const r = await run(['bench', '--json', '-p', f, '-n', '3', '--model', 'local-small', plain.url + '/v1/chat/completions']);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.deepEqual(t.actions, { text: 3, json: 0, tool_call: 0 });
  assert.equal(t.metrics.action_ms.p50, t.metrics.latency_ms.p50);
  const last = plain.st.requests.at(-1).body;
  assert.equal(last.model, 'local-small');
  assert.deepEqual(last.messages, [{ role: 'user', content: 'Say something short.' }]);
});

test('--concurrency keeps that many requests in flight', async () => {
  const s = await startServer({ gap: 200 });
  servers.push(s);
  const f = path.join(tmp, 'slow.jsonl');
  writeFileSync(f, JSON.stringify({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }) + '\n');
  const r = await run(['bench', '--json', '-p', f, '-c', '4', '-n', '12', s.url]);
  assert.equal(r.code, 0, r.err);
  assert.equal(s.st.requests.length, 12);
  assert.equal(s.st.maxInFlight, 4);
  assert.equal(JSON.parse(r.out).targets[0].ok, 12);
});

test('a server without usage: tokens counted from the stream and labelled as estimated', async () => {
  const r = await run(['bench', '--json', '-n', '4', nousage.url]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.equal(t.tokens_estimated, true);
  assert.ok(t.metrics.completion_tokens.p50 >= 3);
  assert.ok(t.metrics.prompt_tokens.p50 > 0);
  const table = await run(['bench', '-n', '2', nousage.url]);
  assert.match(table.out, /reported no usage/);
});

test('terminal table: every figure, several targets, no prompt or answer text', async () => {
  const r = await run(['bench', '-n', '5', plain.url, nousage.url + '/v1']);
  assert.equal(r.code, 0, r.err);
  for (const label of ['time to first token', 'token-to-action', 'complete answer', 'prompt tokens/s', 'generation tokens/s', 'prompt tokens', 'completion tokens', 'requests/s'])
    assert.ok(r.out.includes(label), label);
  assert.match(r.out, /mean\s+p50\s+p90\s+p99/);
  assert.ok(r.out.includes(plain.url) && r.out.includes(nousage.url + '/v1'));
  assert.match(r.out, /5 requests: 5 ok, 0 failed/);
  for (const secret of ['Maria', 'Oslo', 'answer is short', 'bakery']) assert.ok(!r.out.includes(secret), secret);
});

test('--html: a self-contained page with SVG charts', async () => {
  const html = path.join(tmp, 'report.html');
  const r = await run(['bench', '--json', '-n', '6', '--html', html, plain.url, nousage.url]);
  assert.equal(r.code, 0, r.err);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  const svgs = page.match(/<svg /g) ?? [];
  assert.ok(svgs.length >= 5, `${svgs.length} charts`);
  assert.ok((page.match(/<rect /g) ?? []).length >= 12);
  assert.match(page, /<polyline /);
  assert.ok(!/<script|src=|href=/i.test(page), 'nothing loaded from elsewhere');
  assert.ok(page.includes(plain.url));
  assert.ok(page.trimEnd().endsWith('</html>'));
});

test('--api-key-env sends a bearer token and never prints it', async () => {
  const key = 'sk-bench-test-0123456789';
  const r = await run(['bench', '-n', '1', '--api-key-env', 'BENCH_KEY', plain.url], { env: { BENCH_KEY: key } });
  assert.equal(r.code, 0, r.err);
  assert.equal(plain.st.requests.at(-1).headers.authorization, `Bearer ${key}`);
  assert.ok(!r.out.includes(key) && !r.err.includes(key));
  const missing = await run(['bench', '-n', '1', '--api-key-env', 'BENCH_NO_SUCH_VAR', plain.url]);
  assert.equal(missing.code, 2);
});

test('failing requests are counted; a target with no answer exits 1 with the reason', async () => {
  const r = await run(['bench', '--json', '-n', '3', failing.url]);
  assert.equal(r.code, 1);
  const t = JSON.parse(r.out).targets[0];
  assert.equal(t.ok, 0);
  assert.equal(t.failed, 3);
  assert.equal(t.first_error, 'HTTP 500: the model fell over');
  assert.equal(t.metrics.ttft_ms.n, 0);
  assert.equal(t.metrics.ttft_ms.p50, null);
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.match(r.err, /no request succeeded \(HTTP 500: the model fell over\)/);
  const refused = await run(['bench', '-n', '2', 'http://127.0.0.1:1']);
  assert.equal(refused.code, 1);
  assert.match(refused.out, /0 ok, 2 failed/);
  const notfound = await run(['bench', '--json', '-n', '1', plain.url + '/nothing/here']);
  assert.equal(notfound.code, 1);
  assert.match(JSON.parse(notfound.out).targets[0].first_error, /^HTTP 404/);
});

test('bad usage and bad input: one line on stderr, exit 2', async () => {
  const bad = path.join(tmp, 'bad.jsonl');
  writeFileSync(bad, JSON.stringify({ prompt: 'ok' }) + '\n{"messages": [oops\n');
  const nomsg = path.join(tmp, 'nomsg.jsonl');
  writeFileSync(nomsg, JSON.stringify({ model: 'x' }) + '\n');
  const empty = path.join(tmp, 'empty.jsonl');
  writeFileSync(empty, '\n\n');
  const cases = [
    [['bench'], /no target/],
    [['bench', '-c', '0', plain.url], /--concurrency/],
    [['bench', '-n', 'lots', plain.url], /--requests/],
    [['bench', '-m', '-3', plain.url], /--max-tokens/],
    [['bench', '--timeout', '0', plain.url], /--timeout/],
    [['bench', '--frobnicate', plain.url], /unknown option '--frobnicate'/],
    [['bench', plain.url, '-p'], /-p needs a value/],
    [['bench', 'ftp://127.0.0.1/x'], /only http/],
    [['bench', path.join(tmp, 'no-such-model.gguf')], /No such file/],
    [['bench', tmp], /not a regular file/],
    [['bench', '-p', path.join(tmp, 'missing.jsonl'), plain.url], /missing\.jsonl/],
    [['bench', '-p', bad, plain.url], /bad\.jsonl:2: not JSON/],
    [['bench', '-p', nomsg, plain.url], /nomsg\.jsonl:1: no "messages"/],
    [['bench', '-p', empty, plain.url], /no requests/],
    [['bench', '--compare', plain.url], /exactly two/],
    [['bench', '--compare', plain.url, plain.url], /not a URL/],
    [['bench', '--text', bad, plain.url], /--text is only used with --compare/],
    [['bench', '--html', path.join(tmp, 'no', 'such', 'dir.html'), '-n', '1', plain.url], /--html/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^sovereign bench: /);
    assert.match(r.err, re, args.join(' '));
  }
});

test('--help for bench and quantize', async () => {
  for (const cmd of ['bench', 'quantize']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`^Usage: sovereign ${cmd}`));
  }
  const q = await run(['quantize', 'only-one-arg']);
  assert.equal(q.code, 2);
  assert.match(q.err, /^sovereign quantize: expected IN\.gguf OUT\.gguf TYPE/);
  const top = await run(['--help']);
  assert.match(top.out, /bench\s+measure local nodes/);
  assert.match(top.out, /quantize\s+rewrite a GGUF model/);
});

test('a progress bar on stderr when it is a terminal (and not with --no-progress)', async () => {
  // script(1) gives the command a pseudo-terminal; its output is the terminal's
  const tty = (extra) => new Promise((resolve) => {
    const cmd = `${BIN} bench -n 3 ${extra} ${plain.url} >/dev/null`;
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
  });
  const r = await tty('');
  assert.equal(r.code, 0);
  assert.match(r.out, /\[#{10}\.{20}\] 1\/3/);
  assert.match(r.out, /\[#{30}\] 3\/3/);
  const quiet = await tty('--no-progress');
  assert.equal(quiet.code, 0);
  assert.doesNotMatch(quiet.out, /\d\/3/);
});
