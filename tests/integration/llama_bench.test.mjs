// sovereign bench and quantize on GGUF models run in-process (builds with SOV_LLAMA): the shared
// llama-2-tiny-random (real 32k Llama-2 tokenizer), its quantizations, and models made by
// `sovereign gen-tiny-model`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = process.env.SOV_BIN ?? 'build/sovereign';
const SHARED = process.env.SOV_SHARED_DATA ?? path.resolve('../shared/data');
const TINY = path.join(SHARED, 'models', 'llama-2-tiny-random.gguf');
const tmp = mkdtempSync(path.join(tmpdir(), 'sov-llama-bench-'));

function run(args, { timeout = 300000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err }); });
  });
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const FIGURES = ['ttft_ms', 'action_ms', 'latency_ms', 'prompt_tokens_per_s', 'gen_tokens_per_s', 'prompt_tokens', 'completion_tokens'];

function everyFigure(t, n) {
  assert.equal(t.kind, 'gguf');
  assert.equal(t.requests, n);
  assert.equal(t.ok, n, t.first_error ?? '');
  for (const k of FIGURES) {
    assert.equal(t.metrics[k].n, n, k);
    for (const s of ['mean', 'p50', 'p90', 'p99']) assert.ok(isNum(t.metrics[k][s]) && t.metrics[k][s] > 0, `${k}.${s}`);
  }
  for (const k of ['wall_s', 'requests_per_s', 'generated_tokens_per_s', 'peak_rss_mib', 'model_size_mib', 'load_s']) assert.ok(isNum(t[k]) && t[k] > 0, k);
  assert.equal(typeof t.model, 'string');
}

const fileHead = (f, n) => { const b = Buffer.alloc(n); const fd = openSync(f, 'r'); readSync(fd, b, 0, n, 0); closeSync(fd); return b; };

let tinyQ4;
before(async () => {
  assert.ok(existsSync(TINY), `${TINY} (set SOV_SHARED_DATA)`);
  tinyQ4 = path.join(tmp, 'tiny-q4_k_m.gguf');
  const q = await run(['quantize', '-t', '1', TINY, tinyQ4, 'q4_k_m']);
  assert.equal(q.code, 0, q.err);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('bench on llama-2-tiny-random: every figure, peak RSS, table and HTML', async () => {
  const html = path.join(tmp, 'tiny.html');
  const r = await run(['bench', '--json', '-t', '1', '-m', '16', '--html', html, TINY]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  everyFigure(t, 10);
  assert.equal(t.target, TINY);
  assert.ok(t.metrics.completion_tokens.p99 <= 16);
  assert.ok(t.model_size_mib > 1 && t.model_size_mib < 2);
  assert.equal(t.tokens_estimated, false);
  assert.equal(t.perplexity, undefined, 'perplexity only with --compare');
  const page = readFileSync(html, 'utf8');
  assert.ok((page.match(/<svg /g) ?? []).length >= 5);
  const table = await run(['bench', '-t', '1', '-m', '8', '-n', '3', TINY]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /GGUF, in-process/);
  assert.match(table.out, /peak RSS \d+\.\d MiB/);
  assert.match(table.out, /3 requests: 3 ok, 0 failed/);
});

test('a JSON prompt set on a GGUF target; a prompt longer than the context fails that request only', async () => {
  const f = path.join(tmp, 'p.jsonl');
  writeFileSync(f, [
    JSON.stringify({ prompt: 'Say hello.' }),
    JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'word '.repeat(400) }] }),
  ].join('\n') + '\n');
  const r = await run(['bench', '--json', '-t', '1', '-m', '8', '--ctx', '64', '-p', f, TINY]);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out).targets[0];
  assert.equal(t.ok, 1);
  assert.equal(t.failed, 1);
  assert.match(t.first_error, /does not fit the context of \d+ \(--ctx\)/);
});

// Both quantizations compared; the shared model's tensors are too narrow for k-quants (llama.cpp
// falls back to other types for them), so its Q4_K_M file is about as large as the F16 one.
async function compare(a, b) {
  const html = path.join(tmp, 'compare.html');
  const r = await run(['bench', '--json', '--compare', '-t', '1', '-m', '24', '--html', html, a, b]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.targets.length, 2);
  for (const t of j.targets) {
    everyFigure(t, 10);
    assert.ok(isNum(t.perplexity) && t.perplexity > 1, 'perplexity');
    assert.ok(t.perplexity_tokens > 100);
  }
  assert.match(j.targets[0].model, /F16/);
  assert.match(j.targets[1].model, /Q4_K/);
  const c = j.compare;
  assert.deepEqual(c.models, [a, b]);
  assert.equal(c.answers, 10);
  for (const k of ['exact_match', 'token_overlap', 'common_prefix']) assert.ok(isNum(c[k]) && c[k] >= 0 && c[k] <= 1, k);
  assert.ok(c.token_overlap >= c.exact_match);
  for (const k of ['model_size_mib', 'peak_rss_mib', 'prompt_tokens_per_s_p50', 'gen_tokens_per_s_p50', 'ttft_ms_p50', 'perplexity'])
    assert.ok(c.side_by_side[k].every(isNum), k);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /Comparison/);
  assert.match(page, /agreement of the answers/);
  // the same model twice agrees with itself completely (greedy decoding is deterministic)
  const self = await run(['bench', '--json', '--compare', '-t', '1', '-m', '12', '-n', '4', a, a]);
  assert.equal(self.code, 0, self.err);
  const s = JSON.parse(self.out);
  assert.equal(s.compare.exact_match, 1);
  assert.equal(s.compare.token_overlap, 1);
  assert.equal(s.targets[0].perplexity, s.targets[1].perplexity);
  // the table shows the comparison
  const t = await run(['bench', '--compare', '-t', '1', '-m', '8', '-n', '3', '--text', path.join(process.env.SOV_SOURCE_DIR ?? '.', 'README.md'), a, b]);
  assert.equal(t.code, 0, t.err);
  for (const label of ['Comparison', 'peak RSS MiB', 'perplexity', 'exact match', 'token overlap']) assert.ok(t.out.includes(label), label);
  return j;
}

test('--compare F16 vs Q4_K_M of llama-2-tiny-random: speed, memory, agreement, perplexity', async () => {
  await compare(TINY, tinyQ4);
});

test('--compare F16 vs Q4_K_M of a generated model: a smaller model that answers differently', async () => {
  // rows of 256 (embedding and feed-forward sizes) so that the k-quants apply to every matrix
  const src = path.join(tmp, 'gen.gguf');
  const g = await run(['gen-tiny-model', '--embd', '256', '--ff', '512', src]);
  assert.equal(g.code, 0, g.err);
  const f16 = path.join(tmp, 'gen-f16.gguf'), q4 = path.join(tmp, 'gen-q4_k_m.gguf');
  for (const [out, type] of [[f16, 'F16'], [q4, 'Q4_K_M']]) {
    const q = await run(['quantize', '-t', '1', src, out, type]);
    assert.equal(q.code, 0, q.err);
  }
  assert.ok(statSync(q4).size < statSync(f16).size * 0.5, 'Q4_K_M is less than half of F16');
  const j = await compare(f16, q4);
  const side = j.compare.side_by_side;
  assert.ok(side.model_size_mib[1] < side.model_size_mib[0] * 0.5);
  assert.notEqual(side.perplexity[0], side.perplexity[1], 'the quantized weights give another perplexity');
  assert.ok(j.compare.exact_match < 1, 'random weights quantized to 4 bits do not give the same answers');
});

test('quantize: the types, a smaller output, progress-free when not a terminal', async () => {
  const help = await run(['quantize', '--help']);
  for (const type of ['Q4_K_M', 'Q5_K_M', 'Q8_0', 'F16']) assert.match(help.out, new RegExp(`^  ${type} `, 'm'));
  const out = path.join(tmp, 'tiny-q8.gguf');
  const r = await run(['quantize', '-t', '1', TINY, out, 'Q8_0']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.match(r.out, /wrote .*tiny-q8\.gguf \(Q8_0\)/);
  assert.equal(fileHead(out, 4).toString(), 'GGUF');
  const b = await run(['bench', '--json', '-t', '1', '-m', '4', '-n', '2', out]);
  assert.equal(b.code, 0, b.err);
  assert.match(JSON.parse(b.out).targets[0].model, /Q8_0/);
});

test('quantize and bench draw a progress bar when stderr is a terminal', async () => {
  const tty = (cmd) => new Promise((resolve) => {
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
  });
  const q = await tty(`${BIN} quantize -t 1 ${TINY} ${path.join(tmp, 'tty-q8.gguf')} Q8_0`);
  assert.equal(q.code, 0, q.out);
  const m = [...q.out.matchAll(/quantize \[[#.]{30}\] (\d+)\/(\d+)/g)];
  assert.ok(m.length >= 2, q.out);
  assert.equal(m.at(-1)[1], m.at(-1)[2], 'the bar reaches every tensor');
  const b = await tty(`${BIN} bench -t 1 -m 4 -n 3 ${TINY} >/dev/null`);
  assert.equal(b.code, 0, b.out);
  assert.match(b.out, /\[#{30}\] 3\/3/);
});

test('quantize and bench: bad types, missing and corrupt models give one line and exit 2', async () => {
  const trunc = path.join(tmp, 'trunc.gguf');
  writeFileSync(trunc, readFileSync(TINY).subarray(0, 4096));
  const notgguf = path.join(tmp, 'text.gguf');
  writeFileSync(notgguf, 'this is not a model\n');
  const cases = [
    [['quantize', TINY, path.join(tmp, 'x.gguf'), 'Q9_Z'], /unsupported type 'Q9_Z' \(one of: .*Q4_K_M/],
    [['quantize', path.join(tmp, 'missing.gguf'), path.join(tmp, 'x.gguf'), 'Q8_0'], /missing\.gguf'?: No such file/],
    [['quantize', notgguf, path.join(tmp, 'x.gguf'), 'Q8_0'], /text\.gguf'?: not a GGUF/],
    [['quantize', trunc, path.join(tmp, 'x.gguf'), 'Q8_0'], /trunc\.gguf'?: corrupt or truncated/],
    [['quantize', TINY, TINY, 'Q8_0'], /overwrite the input/],
    [['quantize', TINY, path.join(tmp, 'no', 'dir', 'x.gguf'), 'Q8_0'], /No such file or directory/],
    [['quantize', '-t', 'many', TINY, path.join(tmp, 'x.gguf'), 'Q8_0'], /--threads/],
    [['bench', '-t', '1', notgguf], /text\.gguf'?: not a GGUF/],
    [['bench', '-t', '1', trunc], /trunc\.gguf'?: corrupt or truncated/],
    [['bench', '--compare', TINY], /exactly two/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.signal, null);
    assert.equal(r.err.trim().split('\n').length, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re, args.join(' '));
  }
  assert.ok(!existsSync(path.join(tmp, 'x.gguf')), 'no partial output left behind');
});
