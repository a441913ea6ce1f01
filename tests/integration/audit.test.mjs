// sovereign audit: every reader on the fixtures in tests/data/audit (malformed, truncated and empty
// lines, gzip, stdin, directories, batch joins in both orders), pricing to the cent, unpriced models,
// the JSON report's fields, the local cost model, bad usage, and no sensitive value in any output.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const BIN = process.env.SOV_BIN || path.resolve('build/sovereign');
const SRC = process.env.SOV_SOURCE_DIR || path.resolve('.');
const SHARED = process.env.SOV_SHARED_DATA || path.join(SRC, '..', 'shared', 'data');
const DATA = path.join(SRC, 'tests/data/audit');
const fx = (f) => path.join(DATA, f);

function audit(args, input) {
  const r = spawnSync(BIN, ['audit', '--no-progress', ...args], {input, encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20});
  return r;
}
function auditJson(args, input) {
  const r = audit(['--json', ...args], input);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const cents = (x) => Math.round(x * 100);
const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
const model = (j, name) => j.by_model.find((m) => m.model === name);

test('OpenAI request/response JSONL: usage, cached tokens, pricing to the cent, errors as file:line', () => {
  const j = auditJson([fx('openai.jsonl')]);
  assert.equal(j.requests, 4);
  assert.equal(j.failed_calls, 1);
  assert.equal(j.errors, 3); // truncated, not JSON, not an object; empty and blank lines are not errors
  assert.deepEqual(j.error_lines.map((e) => e.replace(/^.*\//, '')), [
    'openai.jsonl:7: malformed or truncated JSON', 'openai.jsonl:8: malformed or truncated JSON', 'openai.jsonl:9: not a JSON object']);
  // gpt-4o: 100k uncached x $2.50 + 20k cached x $1.25 + 31k out x $10 = $0.585
  close(model(j, 'gpt-4o-2024-08-06').spend_usd, 0.585);
  assert.equal(model(j, 'gpt-4o-2024-08-06').price_per_1m.row, 'gpt-4o');
  // gpt-4o-mini: 200k x $0.15 + 60k x $0.60 = $0.066
  close(model(j, 'gpt-4o-mini-2024-07-18').spend_usd, 0.066);
  assert.equal(cents(j.spend_usd), 65);
  assert.equal(j.cached_tokens, 20000);
  // the line without usage is estimated, and says so
  assert.equal(j.estimates.prompt_tokens_estimated_requests, 1);
  assert.equal(j.estimates.completion_tokens_estimated_requests, 1);
  assert.equal(j.formats.openai, 5);
});

test('unpriced models are listed, never free; --pricing adds them', () => {
  const j = auditJson([fx('openai.jsonl')]);
  assert.deepEqual(j.unpriced_models.map((m) => m.model), ['acme-llm-7b']);
  assert.equal(j.unpriced_models[0].requests, 1);
  assert.equal(j.unpriced_models[0].prompt_tokens, 1000);
  assert.equal(j.unpriced_requests, 1);
  assert.equal(model(j, 'acme-llm-7b').priced, false);
  assert.equal(model(j, 'acme-llm-7b').spend_usd, 0);
  const p = auditJson(['--pricing', fx('pricing.yaml'), fx('openai.jsonl')]);
  assert.deepEqual(p.unpriced_models, []);
  close(model(p, 'acme-llm-7b').spend_usd, (1000 * 1 + 100 * 2) / 1e6);
  assert.equal(p.pricing.date, '2025-09-01');
  const t = audit([fx('openai.jsonl')]);
  assert.match(t.stdout, /Unpriced models/);
  assert.match(t.stdout, /acme-llm-7b\s+1 requests/);
});

test('Anthropic Messages pairs: cache reads and writes priced, system blocks, failed calls', () => {
  const j = auditJson([fx('anthropic.jsonl')]);
  assert.equal(j.requests, 2);
  assert.equal(j.failed_calls, 1);
  assert.equal(j.errors, 1);
  // sonnet 4: 10k x $3 + 50k cache read x $0.30 + 4k cache write x $3.75 + 2k out x $15 = $0.09
  close(model(j, 'claude-sonnet-4-20250514').spend_usd, 0.09);
  close(model(j, 'claude-3-5-haiku-20241022').spend_usd, 0.16);
  assert.equal(model(j, 'claude-sonnet-4-20250514').provider, 'anthropic');
  assert.equal(j.prompt_tokens, 164000);
  assert.equal(j.formats.anthropic, 3);
});

test('OpenAI Batch input and output are joined by custom_id, in either order', () => {
  for (const order of [['batch_input.jsonl', 'batch_output.jsonl'], ['batch_output.jsonl', 'batch_input.jsonl']]) {
    const j = auditJson(['--threads', '2', ...order.map(fx)]);
    assert.equal(j.requests, 3, order.join(' '));  // req-1, req-2 joined, req-3 without output; req-4 failed
    assert.equal(j.failed_calls, 1);
    close(j.spend_usd, 0.012 + 0.08 + model(j, 'gpt-4o-mini').spend_usd, 1e-9);
    close(model(j, 'gpt-4o-mini-2024-07-18').spend_usd, 0.012);
    close(model(j, 'gpt-4.1-mini-2025-04-14').spend_usd, 0.08);
    assert.equal(j.batch.unmatched_inputs, 1);
    assert.equal(j.batch.unmatched_outputs, 0);
    assert.equal(j.estimates.requests_without_response, 1);
    // the joined requests were classified from their inputs
    assert.equal(Object.values(j.by_task).reduce((s, t) => s + t.requests, 0), 3);
    assert.equal(j.by_task.unknown, undefined);
  }
});

test('LiteLLM spend logs as a JSON array and as CSV give the same figures', () => {
  const a = auditJson(['--workflow-field', 'metadata.app', fx('litellm.json')]);
  const c = auditJson(['--workflow-field', 'metadata.app', fx('litellm.csv')]);
  for (const j of [a, c]) {
    assert.equal(j.requests, 2);
    close(j.spend_usd, 0.14 + 0.0056);
    assert.deepEqual(j.by_workflow.map((w) => w.workflow).sort(), ['chat', 'reports']);
    // the row whose prompt was not stored counts in spend with the task "unknown"
    assert.equal(j.by_task.unknown.requests, 1);
  }
  assert.equal(a.failed_calls, 1);
  assert.equal(c.errors, 1);
  assert.match(c.error_lines[0], /litellm\.csv:4: unterminated CSV quote/);
  assert.equal(a.formats.litellm, 3);
});

test('Helicone export: bodies as objects or JSON strings, properties as workflow', () => {
  const j = auditJson(['--workflow-field', 'app', fx('helicone.jsonl')]);
  assert.equal(j.requests, 2);
  close(j.spend_usd, 0.04 + 0.072);
  assert.deepEqual(j.by_workflow.map((w) => w.workflow).sort(), ['crm', 'support']);
  assert.equal(j.formats.helicone, 2);
  const u = auditJson(['--workflow-field', 'user', fx('helicone.jsonl')]);
  assert.deepEqual(u.by_workflow.map((w) => w.workflow).sort(), ['alice', 'bob']);
});

test('LiteLLM-proxy call logs (../shared/data/api_logs): spend matches the logged cost', () => {
  const dir = path.join(SHARED, 'api_logs');
  const files = ['llm-logs', 'nonfncall-llm-logs'].flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)));
  const logged = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))
    .filter((d) => d.response.model.includes('claude')).reduce((s, d) => s + d.cost, 0);
  const j = auditJson([path.join(dir, 'llm-logs'), path.join(dir, 'nonfncall-llm-logs')]);
  assert.equal(j.requests, files.length);
  assert.equal(j.errors, 0);
  close(j.spend_usd, logged, 1e-9);
  assert.deepEqual(j.unpriced_models.map((m) => m.model), ['litellm_proxy/deepseek-chat']);
  const p = auditJson(['--pricing', fx('pricing.yaml'), path.join(dir, 'nonfncall-llm-logs')]);
  assert.deepEqual(p.unpriced_models, []);
  assert.ok(p.spend_usd > 0);
  // the whole folder: the README, the licence and the bare message lists are reported, not fatal
  const all = auditJson([dir]);
  assert.equal(all.requests, files.length);
  assert.ok(all.error_lines.some((e) => /fncall-llm-message\.json:1: a JSON list of chat messages/.test(e)));
});

test("Sovereign's decision log (`decisions --json` lines): the gateway's decisions and logged costs", () => {
  const j = auditJson(['--workflow-field', 'workflow', fx('decisions.jsonl')]);
  assert.equal(j.formats['sovereign-decisions'], 4);
  assert.equal(j.requests, 3);
  assert.equal(j.failed_calls, 1); // the 502
  // gpt-4o is priced from the table (1M x $2.50 + 100k x $10); "auto" rows carry the gateway's own cost
  close(model(j, 'gpt-4o').spend_usd, 3.5);
  close(model(j, 'cloud').spend_usd, 0.0123);
  close(j.spend_usd, 3.5123);
  assert.deepEqual(j.unpriced_models, []);
  assert.equal(j.migratable.requests, 1);
  assert.equal(j.by_task.summarization.local_requests, 1);
  assert.equal(j.by_task.creative.requests, 1);
  assert.equal(j.by_task.unknown.requests, 1); // no task recorded
  assert.equal(j.sensitive.email, 2);
  assert.equal(j.sensitive.iban, 1);
  assert.deepEqual(j.by_workflow.map((w) => w.workflow).sort(), ['billing', 'tickets']);
});

test('gzip input, stdin, and a directory give the same report as the plain file', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-'));
  try {
    const plain = fs.readFileSync(fx('openai.jsonl'));
    fs.writeFileSync(path.join(tmp, 'log.jsonl.gz'), zlib.gzipSync(plain));
    const base = auditJson([fx('openai.jsonl')]);
    const gz = auditJson([path.join(tmp, 'log.jsonl.gz')]);
    const stdin = auditJson(['-'], plain);
    const gzStdin = auditJson(['-'], zlib.gzipSync(plain));
    const dir = auditJson([tmp]);
    for (const j of [gz, stdin, gzStdin, dir]) {
      assert.equal(j.requests, base.requests);
      assert.equal(j.errors, base.errors);
      assert.equal(j.spend_usd, base.spend_usd);
      assert.equal(j.prompt_tokens, base.prompt_tokens);
    }
    assert.match(stdin.error_lines[0], /^-:7: /);
    // a gzip stream that breaks off is reported as file:line, never the end of the run
    const cut = zlib.gzipSync(plain).subarray(0, 60);
    fs.writeFileSync(path.join(tmp, 'cut.gz'), cut);
    const c = auditJson([path.join(tmp, 'cut.gz'), fx('anthropic.jsonl')]);
    assert.ok(c.error_lines.some((e) => /cut\.gz:\d+: corrupt or truncated gzip data/.test(e)), c.error_lines.join('\n'));
    assert.equal(c.formats.anthropic, 3); // the next file is still read
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});

test('a record longer than --max-record-bytes is reported and skipped, the next ones are read', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-'));
  try {
    const line = (c) => JSON.stringify({request: {model: 'gpt-4o', messages: [{role: 'user', content: c}]},
      response: {model: 'gpt-4o', usage: {prompt_tokens: 10, completion_tokens: 1}}});
    const f = path.join(tmp, 'long.jsonl');
    fs.writeFileSync(f, [line('hi'), line('Summarize: ' + 'x'.repeat(6 << 20)), line('bye')].join('\n') + '\n');
    const small = auditJson(['--max-record-bytes', String(1 << 20), f]);
    assert.equal(small.requests, 2);
    assert.equal(small.errors, 1);
    assert.match(small.error_lines[0], /long\.jsonl:2: record longer than --max-record-bytes/);
    const big = auditJson([f]); // the default cap (64 MiB) takes it
    assert.equal(big.requests, 3);
    assert.equal(big.errors, 0);
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});

test('--format forces a reader; an empty file is an empty report', () => {
  const j = auditJson(['--format', 'anthropic', fx('openai.jsonl')]);
  assert.equal(j.formats.openai, undefined);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-'));
  try {
    fs.writeFileSync(path.join(tmp, 'empty.jsonl'), '\n\n');
    const e = auditJson([path.join(tmp, 'empty.jsonl')]);
    assert.equal(e.requests, 0);
    assert.equal(e.errors, 0);
    assert.equal(e.spend_usd, 0);
    assert.equal(e.migratable.share_of_spend, 0);
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});

test('the JSON report has every field the issue names, consistent with each other', () => {
  const j = auditJson(['--workflow-field', 'metadata.app', path.join(SRC, 'examples/sample-log.jsonl')]);
  for (const k of ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'spend_usd', 'by_model', 'by_task', 'migratable',
    'sensitive', 'templates', 'unpriced_models'])
    assert.ok(k in j, k);
  for (const k of ['requests', 'spend_usd', 'share_of_spend']) assert.equal(typeof j.migratable[k], 'number', k);
  assert.ok(j.requests >= 300);
  assert.equal(j.errors, 1);
  const sum = (xs, f) => xs.reduce((s, x) => s + f(x), 0);
  assert.equal(sum(j.by_model, (m) => m.requests), j.requests);
  close(sum(j.by_model, (m) => m.spend_usd), j.spend_usd, 1e-6);
  assert.equal(sum(Object.values(j.by_task), (t) => t.requests), j.requests);
  assert.equal(sum(Object.values(j.by_complexity), (t) => t.requests), j.requests);
  assert.equal(sum(j.by_workflow, (w) => w.requests), j.requests);
  close(j.migratable.share_of_spend, j.migratable.spend_usd / j.spend_usd, 1e-6);
  assert.equal(j.migratable.requests, sum(j.by_model, (m) => m.local_requests));
  // local-kind tasks are what the default policy moves; cloud-kind stay unless sensitive
  assert.ok(j.by_task.classification.local_requests > 0);
  assert.ok(j.migratable.requests > 0 && j.migratable.requests < j.requests);
  for (const t of Object.keys(j.sensitive)) assert.equal(typeof j.sensitive[t], 'number');
  assert.ok(j.sensitive.email > 0 && j.sensitive.iban > 0);
  assert.ok(j.templates.length > 0 && j.templates.length <= 10);
  for (const t of j.templates) {
    assert.ok(t.requests >= 2);
    assert.equal(typeof t.local_ready, 'boolean');
    assert.ok(typeof t.task === 'string' && typeof t.template === 'string');
  }
  for (let i = 1; i < j.templates.length; i++) assert.ok(j.templates[i - 1].spend_usd >= j.templates[i].spend_usd);
  // near-duplicates group: the short-story prompts differ only in what the keeper finds
  const story = j.templates.filter((t) => t.template.startsWith('Write a short story about a lighthouse keeper'));
  assert.equal(story.length, 1);
  assert.ok(story[0].variants >= 2, JSON.stringify(story[0]));
  assert.equal(story[0].task, 'creative');
  assert.ok(j.templates.every((t) => Number.isInteger(t.variants) && t.variants >= 1));
  assert.deepEqual(j.unpriced_models.map((m) => m.model), ['mistral-large-latest']);
  assert.equal(j.period.assumed, false);
  assert.ok(j.period.days > 6 && j.period.days < 8);
});

test('template verdict cache: the default run agrees with --exact on the sample log', () => {
  const a = auditJson(['--threads', '1', path.join(SRC, 'examples/sample-log.jsonl')]);
  const b = auditJson(['--exact', path.join(SRC, 'examples/sample-log.jsonl')]);
  assert.equal(a.requests, b.requests);
  assert.equal(a.spend_usd, b.spend_usd);
  // classification per template can differ from per request only slightly
  assert.ok(Math.abs(a.migratable.requests - b.migratable.requests) <= a.requests * 0.05,
    `${a.migratable.requests} vs ${b.migratable.requests}`);
});

test('local cost model: net monthly savings = migratable spend - hardware, power or hourly cost', () => {
  const log = path.join(SRC, 'examples/sample-log.jsonl');
  const g = auditJson(['--period-days', '30', log]);
  assert.equal(g.migratable.monthly.cost_model, false);
  close(g.migratable.monthly.net_savings_usd, g.migratable.spend_usd, 1e-6);
  const h = auditJson(['--period-days', '30', '--local-tokens-per-s', '50', '--local-hourly-usd', '2', log]);
  const busy = (h.migratable.prompt_tokens / 500 + h.migratable.completion_tokens / 50) / 3600;
  close(h.migratable.monthly.local_busy_hours, busy, 1e-3);
  close(h.migratable.monthly.local_cost_usd, 2 * busy, 1e-3);
  close(h.migratable.monthly.net_savings_usd, h.migratable.spend_usd - 2 * busy, 1e-3);
  const hw = auditJson(['--period-days', '15', '--local-tokens-per-s', '50', '--local-hardware-usd', '3600', '--local-amortize-months',
    '36', '--local-power-watts', '300', '--local-kwh-usd', '0.2', log]);
  const m = hw.migratable.monthly;
  close(m.local_cost_usd, 100 + 0.3 * m.local_busy_hours * 0.2, 1e-3);
  close(m.migratable_spend_usd, hw.migratable.spend_usd * 2, 1e-6);
  assert.ok(m.net_savings_usd < 0); // a small log does not pay for a node: said plainly
  const t = audit(['--local-tokens-per-s', '50', '--local-hourly-usd', '2', log]);
  assert.match(t.stdout, /net savings/);
});

test('bad usage: one line on stderr, exit status 2', () => {
  const cases = [
    [], ['--no-such-option', fx('openai.jsonl')], ['--format', 'nope', fx('openai.jsonl')], ['/nonexistent/log.jsonl'],
    ['--top', 'x', fx('openai.jsonl')], ['--local-hourly-usd', '2', fx('openai.jsonl')], ['--pricing', '/nonexistent.yaml', fx('openai.jsonl')],
    ['--threads', '0', fx('openai.jsonl')], ['-', '-'], ['--workflow-field'],
  ];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-'));
  fs.writeFileSync(path.join(tmp, 'bad.yaml'), 'pricing:\n  models:\n    x: { input: -1, output: 2 }\n');
  cases.push(['--pricing', path.join(tmp, 'bad.yaml'), fx('openai.jsonl')]);
  try {
    for (const args of cases) {
      const r = spawnSync(BIN, ['audit', ...args], {encoding: 'utf8', input: ''});
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^sovereign audit: /);
    }
    const bad = spawnSync(BIN, ['audit', '--pricing', path.join(tmp, 'bad.yaml'), fx('openai.jsonl')], {encoding: 'utf8'});
    assert.match(bad.stderr, /pricing\.x\.input \(line 3\)/);
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
  const h = spawnSync(BIN, ['audit', '--help'], {encoding: 'utf8'});
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--workflow-field/);
  assert.match(h.stdout, /openai-batch-input/);
});

test('no sensitive value reaches any output (text, JSON, HTML): only counts', () => {
  const values = ['maria.keller@example.com', 'Keller', 'john.smith@example.org', '1234567', '555 0142', 'DE89', '3704 0044',
    '4111 1111', '4111111111111111', '536-22-1947', '10.20.30.40', 'sk-proj-abcdef', 'abcdefghijklmnop'];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-'));
  try {
    const html = path.join(tmp, 'r.html');
    const text = audit(['--html', html, fx('pii.jsonl')]);
    const json = audit(['--json', fx('pii.jsonl')]);
    assert.equal(text.status, 0, text.stderr);
    const outputs = {text: text.stdout + text.stderr, json: json.stdout + json.stderr, html: fs.readFileSync(html, 'utf8')};
    for (const [name, out] of Object.entries(outputs))
      for (const v of values) assert.ok(!out.includes(v), `${name} contains ${v}`);
    const j = JSON.parse(json.stdout);
    assert.equal(j.sensitive.email, 2);
    assert.equal(j.sensitive.credit_card, 1);
    assert.equal(j.sensitive.iban, 1);
    assert.equal(j.sensitive.secret, 1);
    assert.equal(j.sensitive_by_provider.openai.email, 2);
    assert.equal(j.sensitive_by_provider.anthropic.ip_address, 1);
    assert.match(outputs.text, /Sensitive data already sent/);
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});
