// Shared helpers of the integration tests: start build/sov-mock and build/sovereign on ephemeral
// loopback ports, talk to them, and always stop them (after() hooks, plus a kill on process exit).
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import http from 'node:http';
import net from 'node:net';
import {after} from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.SOV_SOURCE_DIR || resolve(here, '../../..');
export const BIN = process.env.SOV_BIN || join(SOURCE_DIR, 'build/sovereign');
export const MOCK = process.env.SOV_MOCK || join(SOURCE_DIR, 'build/sov-mock');

const live = new Set();
process.on('exit', () => {
    for (const p of live) {
        try {
            p.kill('SIGKILL');
        } catch { /* gone */
        }
    }
});

const tmpRoot = mkdtempSync(join(tmpdir(), 'sov-it-'));
process.on('exit', () => rmSync(tmpRoot, {recursive : true, force : true}));
let tmpN = 0;
export function tmpFile(name, text)
{
    const p = join(tmpRoot, `${tmpN++}-${name}`);
    writeFileSync(p, text);
    return p;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Spawns a process, keeps its output, and resolves when `re` matches a line of `stream`.
function spawnAndWait(cmd, args, {env, stream = 'stdout', re, timeoutMs = 15000})
{
    const proc = spawn(cmd, args, {env : {...process.env, ...env}, stdio : [ 'ignore', 'pipe', 'pipe' ]});
    live.add(proc);
    const out = {stdout : '', stderr : ''};
    const exited = new Promise((res) => proc.on('exit', (code, signal) => {
        live.delete(proc);
        res({code, signal});
    }));
    const ready = new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${cmd} did not start: ${out.stderr.slice(-2000)}`)), timeoutMs);
        for (const s of ['stdout', 'stderr']) {
            proc[s].setEncoding('utf8');
            proc[s].on('data', (d) => {
                out[s] += d;
                if (s === stream) {
                    const m = out[s].match(re);
                    if (m) {
                        clearTimeout(timer);
                        res(m);
                    }
                }
            });
        }
        exited.then(({code, signal}) => {
            clearTimeout(timer);
            rej(new Error(`${cmd} exited (${code ?? signal}) before it was ready: ${out.stderr.slice(-2000)}`));
        });
    });
    return {proc, out, exited, ready};
}

async function stopProc(proc, exited, signal = 'SIGTERM', graceMs = 5000)
{
    if (proc.exitCode !== null || proc.signalCode !== null)
        return exited;
    proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const r = await exited;
    clearTimeout(t);
    return r;
}

// ---- the mock upstream ----------------------------------------------------------------------

export async function startMock(name = 'mock', {config, workers, blackhole} = {})
{
    const args = [ '--listen', '127.0.0.1:0', '--name', name ];
    if (config)
        args.push('--config', config);
    if (workers)
        args.push('--workers', String(workers));
    if (blackhole)
        args.push('--blackhole');
    const s = spawnAndWait(MOCK, args, {re : /^listening 127\.0\.0\.1:(\d+)$/m});
    const m = await s.ready;
    const port = Number(m[1]);
    const url = `http://127.0.0.1:${port}`;
    const mock = {
        name,
        port,
        url,
        proc : s.proc,
        out : s.out,
        base : `${url}/v1`,
        async stats() {
            return (await fetch(`${url}/mock/stats`)).json();
        },
        async last() {
            const r = await fetch(`${url}/mock/last`);
            if (r.status !== 200)
                return null;
            const j = await r.json();
            try {
                j.json = JSON.parse(j.body);
            } catch {
                j.json = null;
            }
            return j;
        },
        async config(directives) {
            await fetch(`${url}/mock/config`, {method : 'POST', body : directives});
        },
        async reset() {
            await fetch(`${url}/mock/reset`, {method : 'POST'});
        },
        async stop() {
            return stopProc(s.proc, s.exited);
        },
    };
    return mock;
}

// A port on which nothing listens (connection refused).
export async function deadPort()
{
    const srv = net.createServer();
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const {port} = srv.address();
    await new Promise((r) => srv.close(r));
    return port;
}

// ---- YAML for the gateway's configuration ---------------------------------------------------

function yamlScalar(v)
{
    if (typeof v === 'string')
        return JSON.stringify(v);
    return String(v);
}

const isScalar = (x) => x === null || typeof x !== 'object';

// YAML block text of a plain object (nested objects, lists of scalars or of objects).
export function toYaml(obj, indent = '')
{
    let out = '';
    for (const [k, v] of Object.entries(obj)) {
        if (v === undefined)
            continue;
        if (Array.isArray(v) && v.every(isScalar)) {
            out += `${indent}${k}: [${v.map(yamlScalar).join(', ')}]\n`;
        } else if (Array.isArray(v)) {
            out += `${indent}${k}:\n`;
            for (const x of v)
                out += `${indent}  - ${toYaml(x, indent + '    ').trimStart()}`;
        } else if (v && typeof v === 'object') {
            out += `${indent}${k}:\n${toYaml(v, indent + '  ')}`;
        } else {
            out += `${indent}${k}: ${yamlScalar(v)}\n`;
        }
    }
    return out;
}

// A backend row pointing at a mock (or any URL).
export function backend(name, target, models, extra = {})
{
    const kind = extra.kind || 'openai';
    const base = typeof target === 'string' ? target : kind === 'anthropic' ? target.url : target.base;
    return {name, kind, base_url : base, models, tier : 'cloud', ...extra, kind};
}

// ---- the gateway ----------------------------------------------------------------------------

// Starts `sovereign serve` on a configuration object ({server, backends, routing, limits, auth, ...}).
export async function startGateway(cfg, {env = {}, args = [], workers = 1} = {})
{
    const full = {...cfg, server : {listen : '127.0.0.1:0', workers, access_log : true, ...(cfg.server || {})}};
    const file = tmpFile('gateway.yaml', toYaml(full));
    const s = spawnAndWait(BIN, [ 'serve', '--config', file, ...args ], {
        env,
        stream : 'stderr',
        re : /listening on (http:\/\/[^\s]+)/,
    });
    const m = await s.ready;
    const url = m[1].replace(/\/$/, '');
    const gw = {
        url,
        proc : s.proc,
        out : s.out,
        file,
        exited : s.exited,
        log() {
            return s.out.stderr;
        },
        accessLog() {
            return s.out.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
        },
        async waitAccessLog(n, timeoutMs = 3000) {
            const t0 = Date.now();
            while (gw.accessLog().length < n && Date.now() - t0 < timeoutMs)
                await sleep(10);
            return gw.accessLog();
        },
        async stop(signal = 'SIGTERM') {
            return stopProc(s.proc, s.exited, signal);
        },
    };
    return gw;
}

// Starts things for one test file and stops them after it: `const t = track(); t.add(await startMock())`.
export function track()
{
    const items = [];
    after(async () => {
        const results = await Promise.all(items.map(async (x) => [x, await x.stop()]));
        // a clean exit on SIGTERM: under ASan a leak or a sanitizer report makes this fail
        for (const [x, r] of results)
            if (r && r.code !== 0)
                throw new Error(`${x.name || 'gateway'} exited with ${r.code ?? r.signal}: ${(x.out?.stderr || '').slice(-3000)}`);
    });
    return {
        add(x) {
            items.push(x);
            return x;
        },
    };
}

// ---- requests -------------------------------------------------------------------------------

export function user(text)
{
    return [ {role : 'user', content : text} ];
}

// POST JSON (or a raw string) and read the whole answer.
export async function post(url, body, {headers = {}, method = 'POST'} = {})
{
    const r = await fetch(url, {
        method,
        headers : {'content-type' : 'application/json', ...headers},
        body : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try {
        json = JSON.parse(text);
    } catch { /* not JSON */
    }
    return {status : r.status, headers : r.headers, text, json};
}

export const chat = (gw, body, opts) => post(`${gw.url}/v1/chat/completions`, body, opts);
export const messages = (gw, body, opts) =>
    post(`${gw.url}/v1/messages`, body, {...opts, headers : {'anthropic-version' : '2023-06-01', ...(opts?.headers || {})}});

// Splits an SSE text into events: [{event, data}] (data: the raw data string).
export function parseSse(text)
{
    const events = [];
    for (const block of text.split(/\n\n/)) {
        if (!block.trim())
            continue;
        let event = null;
        const data = [];
        for (const line of block.split('\n')) {
            if (line.startsWith('event:'))
                event = line.slice(6).trim();
            else if (line.startsWith('data:'))
                data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length || event)
            events.push({event, data : data.join('\n')});
    }
    return events;
}

// The OpenAI chunks of a stream (without [DONE]), parsed.
export function chunksOf(text)
{
    return parseSse(text).filter((e) => e.data && e.data !== '[DONE]').map((e) => JSON.parse(e.data));
}

export function contentOf(chunks)
{
    return chunks.map((c) => c.choices?.[0]?.delta?.content || '').join('');
}

// A streaming POST read piece by piece: resolves with {status, headers, text, pieces: [{t, data}], t0}
// where t is ms since the request was sent. onPiece(piece, req) may abort the request.
export function streamPost(url, body, {headers = {}, onPiece} = {})
{
    return new Promise((resolvePromise, reject) => {
        const u = new URL(url);
        const payload = JSON.stringify(body);
        const t0 = performance.now();
        const req = http.request({
            host : u.hostname,
            port : u.port,
            path : u.pathname,
            method : 'POST',
            headers : {'content-type' : 'application/json', 'content-length' : Buffer.byteLength(payload), ...headers},
        },
                                 (res) => {
                                     const pieces = [];
                                     let text = '';
                                     res.setEncoding('utf8');
                                     res.on('data', (d) => {
                                         const p = {t : performance.now() - t0, data : d};
                                         pieces.push(p);
                                         text += d;
                                         if (onPiece)
                                             onPiece(p, req, res);
                                     });
                                     const done = (complete) =>
                                         resolvePromise({status : res.statusCode, headers : res.headers, text, pieces, complete});
                                     res.on('end', () => done(true));
                                     res.on('aborted', () => done(false));
                                     res.on('error', () => done(false));
                                     res.on('close', () => done(res.complete));
                                 });
        req.on('error',
               (e) => (e.code === 'ECONNRESET' ? resolvePromise({status : 0, text : '', pieces : [], complete : false, error : e})
                                               : reject(e)));
        req.end(payload);
    });
}

// Sends raw bytes on a fresh connection and returns everything the server sent back before closing
// (or before timeoutMs).
export function rawRequest(port, bytes, timeoutMs = 3000)
{
    return new Promise((res) => {
        const sock = net.connect(port, '127.0.0.1');
        let data = Buffer.alloc(0);
        const timer = setTimeout(() => {
            sock.destroy();
            res({data : data.toString('latin1'), timedOut : true});
        }, timeoutMs);
        sock.on('connect', () => sock.end(bytes));
        sock.on('data', (d) => { data = Buffer.concat([ data, d ]); });
        sock.on('close', () => {
            clearTimeout(timer);
            res({data : data.toString('latin1'), timedOut : false});
        });
        sock.on('error', () => {});
    });
}

// Checks the OpenAI error shape and returns the error object.
export function openaiError(assert, r, status, code)
{
    assert.equal(r.status, status, r.text);
    assert.ok(r.json && r.json.error, `an error object: ${r.text}`);
    const e = r.json.error;
    for (const k of ['message', 'type', 'param', 'code'])
        assert.ok(k in e, `error.${k} present: ${r.text}`);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0);
    assert.equal(typeof e.type, 'string');
    if (code !== undefined)
        assert.equal(e.code, code, r.text);
    return e;
}

// Checks the Anthropic error shape ({"type":"error","error":{"type","message"}}).
export function anthropicError(assert, r, status, type)
{
    assert.equal(r.status, status, r.text);
    assert.equal(r.json?.type, 'error', r.text);
    assert.equal(typeof r.json.error?.message, 'string');
    assert.equal(typeof r.json.error?.type, 'string');
    if (type !== undefined)
        assert.equal(r.json.error.type, type, r.text);
    return r.json.error;
}

// Reads /metrics into [{name, labels, value}].
export async function metrics(gw)
{
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const rows = [];
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#'))
            continue;
        const m = line.match(/^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/);
        if (!m)
            continue;
        const labels = {};
        if (m[3])
            for (const kv of m[3].matchAll(/(\w+)="([^"]*)"/g))
                labels[kv[1]] = kv[2];
        rows.push({name : m[1], labels, value : Number(m[4])});
    }
    return {
        text,
        rows,
        get(name, labels = {}) {
            return rows.filter((r) => r.name === name && Object.entries(labels).every(([ k, v ]) => r.labels[k] === v))
                .reduce((a, r) => a + r.value, 0);
        }
    };
}

export async function waitFor(fn, timeoutMs = 3000, stepMs = 20)
{
    const t0 = Date.now();
    for (;;) {
        const v = await fn();
        if (v)
            return v;
        if (Date.now() - t0 > timeoutMs)
            return v;
        await sleep(stepMs);
    }
}
