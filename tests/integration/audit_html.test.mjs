// The audit's HTML report in headless Chromium (Debian's `chromium`, driven over the DevTools
// protocol on --remote-debugging-pipe): the SVG charts are in the DOM, nothing is fetched from
// outside the page, and the console stays clean. A control page with a deliberate console error
// proves the console check can fail.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.SOV_BIN || path.resolve('build/sovereign');
const SRC = process.env.SOV_SOURCE_DIR || path.resolve('.');
const CHROMIUM = process.env.SOV_CHROMIUM || '/usr/bin/chromium';

// Loads a file in a fresh headless browser; returns {dom, problems, requests}.
async function load(file, expression) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-chromium-'));
  const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true}); // its own process group: stopped as a whole
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const toBrowser = child.stdio[3], fromBrowser = child.stdio[4];
  let id = 0, buf = Buffer.alloc(0);
  const pending = new Map(), events = [];
  let onEvent = null;
  fromBrowser.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    let z;
    while ((z = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, z).toString('utf8'));
      buf = buf.subarray(z + 1);
      if (msg.id && pending.has(msg.id)) {
        const {resolve, reject} = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(JSON.stringify(msg.error))); else resolve(msg.result);
      } else if (msg.method) {
        events.push(msg);
        if (onEvent) onEvent(msg);
      }
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const m = {id: ++id, method, params};
    if (sessionId) m.sessionId = sessionId;
    pending.set(m.id, {resolve, reject});
    toBrowser.write(JSON.stringify(m) + '\0');
  });
  const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 60000);
  try {
    const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
    const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
    for (const d of ['Runtime', 'Log', 'Page', 'Network']) await send(`${d}.enable`, {}, sessionId);
    const loaded = new Promise((resolve) => {
      onEvent = (m) => { if (m.method === 'Page.loadEventFired' && m.sessionId === sessionId) resolve(); };
    });
    await send('Page.navigate', {url: `file://${file}`}, sessionId);
    await loaded;
    await new Promise((r) => setTimeout(r, 200)); // late console messages
    const res = await send('Runtime.evaluate', {expression, returnByValue: true}, sessionId);
    const problems = events.filter((e) => e.sessionId === sessionId && (
      e.method === 'Runtime.exceptionThrown' ||
      (e.method === 'Runtime.consoleAPICalled' && ['error', 'assert', 'warning'].includes(e.params.type)) ||
      (e.method === 'Log.entryAdded' && ['error', 'warning'].includes(e.params.entry.level))));
    const requests = events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => e.params.request.url);
    await send('Browser.close').catch(() => {});
    return {dom: res.result.value, problems, requests};
  } catch (e) {
    throw new Error(`${e.message}\nchromium stderr:\n${stderr.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
    const exited = new Promise((r) => (child.exitCode !== null || child.signalCode ? r() : child.once('exit', r)));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
    fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 200});
  }
}

const inspect = `JSON.stringify({
  title: document.title,
  charts: [...document.querySelectorAll('svg.chart')].map((s) => ({id: s.id, rects: s.querySelectorAll('rect').length,
    labels: [...s.querySelectorAll('text')].map((t) => t.textContent), width: s.getBoundingClientRect().width})),
  tables: document.querySelectorAll('table').length,
  text: document.body.innerText,
  external: [...document.querySelectorAll('script[src], link[href], img[src], iframe')].length,
})`;

test('the HTML report renders its SVG charts with no console errors and no external fetches', async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} missing: run scripts/deps.sh`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-html-'));
  try {
    const html = path.join(tmp, 'report.html');
    const r = spawnSync(BIN, ['audit', '--no-progress', '--workflow-field', 'metadata.app', '--html', html,
      path.join(SRC, 'examples/sample-log.jsonl')], {encoding: 'utf8'});
    assert.equal(r.status, 0, r.stderr);
    const {dom, problems, requests} = await load(html, inspect);
    const d = JSON.parse(dom);
    assert.deepEqual(problems.map((p) => p.params), []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
    assert.equal(d.external, 0);
    const ids = d.charts.map((c) => c.id);
    for (const id of ['chart-models', 'chart-tasks', 'chart-complexity', 'chart-sensitive', 'chart-workflows'])
      assert.ok(ids.includes(id), `${id} missing: ${ids}`);
    for (const c of d.charts) {
      assert.ok(c.rects >= 3, `${c.id}: ${c.rects} bars`);
      assert.ok(c.width > 100, `${c.id} not laid out`);
    }
    assert.ok(d.charts.find((c) => c.id === 'chart-models').labels.some((l) => l.startsWith('gpt-4o')));
    assert.ok(d.tables >= 3);
    assert.match(d.text, /could move local/);
    assert.match(d.text, /mistral-large-latest/); // the unpriced model is named
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});

test('control: a page with a console error is caught by the same check', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-audit-html-'));
  try {
    const page = path.join(tmp, 'bad.html');
    fs.writeFileSync(page, '<!DOCTYPE html><html><head><title>x</title></head><body><svg class="chart" id="c"></svg>' +
      '<script>console.error("deliberate"); undefinedFunction();</script></body></html>');
    const {dom, problems} = await load(page, inspect);
    assert.equal(JSON.parse(dom).charts.length, 1);
    assert.ok(problems.some((p) => p.method === 'Runtime.consoleAPICalled'));
    assert.ok(problems.some((p) => p.method === 'Runtime.exceptionThrown'));
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
});
