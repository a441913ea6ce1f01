// sovereign bench against the project's mock upstream (build/sov-mock) directly and through
// Sovereign's own gateway (`sovereign serve`), all on 127.0.0.1 ephemeral ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = process.env.SOV_BIN ?? 'build/sovereign';
const MOCK = process.env.SOV_MOCK ?? 'build/sov-mock';
const tmp = mkdtempSync(path.join(tmpdir(), 'sov-bench-gw-'));
const procs = [];

// Starts a process and resolves with the first match of re on the given stream.
function startProc(bin, args, stream, re) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${bin} did not start: ${buf}`)), 20000);
    p[stream].on('data', (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) { clearTimeout(timer); resolve({ p, addr: m[1] }); }
    });
    p.on('exit', (code) => reject(new Error(`${bin} exited ${code}: ${buf}`)));
  });
}

function run(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120000);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

const stats = async (addr) => (await fetch(`http://${addr}/mock/stats`)).json();

let mock, gateway;
before(async () => {
  mock = await startProc(MOCK, ['--listen', '127.0.0.1:0', '--name', 'node', '--config', 'chunks=8 chunk_delay_ms=2'], 'stdout', /listening (127\.0\.0\.1:\d+)/);
  const cfg = path.join(tmp, 'gw.yaml');
  writeFileSync(cfg, `server:\n  listen: 127.0.0.1:0\n  workers: 1\n  access_log: false\n  log_level: warn\n` +
    `backends:\n  - name: node\n    kind: openai\n    base_url: http://${mock.addr}/v1\n    models: [local-model]\n    tier: local\n` +
    `routing:\n  default: node\n`);
  gateway = await startProc(BIN, ['serve', '--config', cfg], 'stderr', /listening on http:\/\/(127\.0\.0\.1:\d+)/);
});
after(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.on('exit', r)) : null)));
  rmSync(tmp, { recursive: true, force: true });
});

test('sov-mock directly: usage, tool calls and every figure', async () => {
  const f = path.join(tmp, 'mixed.jsonl');
  writeFileSync(f, [
    { messages: [{ role: 'user', content: 'plain answer please' }] },
    { messages: [{ role: 'user', content: 'weather? #mock tool=1' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] },
  ].map((x) => JSON.stringify(x)).join('\n') + '\n');
  const s0 = await stats(mock.addr);
  const r = await run(['bench', '--json', '-p', f, '-n', '8', '-c', '2', `http://${mock.addr}/v1`]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.equal(t.ok, 8);
  assert.equal(t.tokens_estimated, false);
  assert.deepEqual(t.actions, { text: 4, json: 0, tool_call: 4 });
  assert.equal(t.metrics.prompt_tokens.p50, 11); // the mock's usage
  for (const k of ['ttft_ms', 'action_ms', 'latency_ms', 'prompt_tokens_per_s'])
    for (const s of ['mean', 'p50', 'p90', 'p99']) assert.ok(Number.isFinite(t.metrics[k][s]), `${k}.${s}`);
  assert.equal(t.metrics.gen_tokens_per_s.n, 8, 'every answer has more than one token: a generation speed');
  const s1 = await stats(mock.addr);
  assert.equal(s1.chat - s0.chat, 8);
});

test('broken, malformed and failing streams are counted as failures, with the reason', async () => {
  const cases = [
    ['#mock break_after=2', /stream ended before the answer was complete|transfer closed|Transferred a partial file/],
    ['#mock malformed_after=1', /malformed stream event/],
    ['#mock error_after=1', /^error in the answer: /],
    ['#mock status=503', /^HTTP 503/],
    ['#mock no_done=1 chunks=0', null],
  ];
  for (const [directive, re] of cases) {
    const f = path.join(tmp, 'fail.jsonl');
    writeFileSync(f, JSON.stringify({ messages: [{ role: 'user', content: `hello ${directive}` }] }) + '\n' +
      JSON.stringify({ messages: [{ role: 'user', content: 'fine' }] }) + '\n');
    const r = await run(['bench', '--json', '-p', f, '-n', '4', `http://${mock.addr}`]);
    assert.equal(r.code, 0, `${directive}: ${r.err}`);
    const t = JSON.parse(r.out).targets[0];
    if (re) {
      assert.equal(t.failed, 2, directive);
      assert.equal(t.ok, 2, directive);
      assert.match(t.first_error, re, directive);
    } else {
      assert.equal(t.ok + t.failed, 4, directive);
    }
  }
});

test("Sovereign's own gateway as a target, at concurrency 4", async () => {
  const s0 = await stats(mock.addr);
  const html = path.join(tmp, 'gw.html');
  const r = await run(['bench', '--json', '-c', '4', '-n', '12', '--html', html, `http://${gateway.addr}/v1`]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.equal(t.ok, 12, t.first_error ?? '');
  assert.equal(t.concurrency, 4);
  assert.equal(t.metrics.completion_tokens.p50, 8);
  assert.ok(t.requests_per_s > 0 && t.generated_tokens_per_s > 0);
  const s1 = await stats(mock.addr);
  assert.equal(s1.chat - s0.chat, 12, 'every request went through the gateway to the node');
  // the gateway and the node side by side in one run
  const both = await run(['bench', '-n', '4', `http://${gateway.addr}`, `http://${mock.addr}/v1`]);
  assert.equal(both.code, 0, both.err);
  assert.equal((both.out.match(/4 requests: 4 ok, 0 failed/g) ?? []).length, 2);
});
