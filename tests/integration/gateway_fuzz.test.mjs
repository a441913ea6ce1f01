// A bounded fuzz run: a few thousand mutated request bodies and a few hundred malformed raw HTTP
// requests. The gateway must answer each one with a well-formed response (a status line; JSON
// errors in the OpenAI or Anthropic shape), stay up, and exit cleanly (no leak under ASan).
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {startMock, startGateway, track, backend, user, rawRequest} from './lib/harness.mjs';

const t = track();
let m, gw;
const N_BODIES = Number(process.env.SOV_FUZZ_BODIES || 2500);
const N_RAW = Number(process.env.SOV_FUZZ_RAW || 400);

before(async () => {
    m = t.add(await startMock('m'));
    gw = t.add(await startGateway({
        backends : [ backend('m', m, [ 'model-m' ]), backend('a', m, [ 'claude-m' ], {kind : 'anthropic'}) ],
        limits : {max_body_bytes : 16384, max_messages : 16},
    },
                                  {workers : 2}));
});

// A deterministic PRNG (mulberry32), so that a failure can be replayed.
function rng(seed)
{
    return () => {
        seed |= 0;
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
}

const seeds = [
    {model : 'model-m', messages : user('hello #mock chunks=2')},
    {model : 'model-m', stream : true, stream_options : {include_usage : true}, messages : user('s #mock chunks=2')},
    {
        model : 'claude-m',
        max_tokens : 8,
        messages : [ {role : 'system', content : 'sys'}, ...user('a'), {role : 'assistant', content : 'b'}, ...user('c') ]
    },
    {
        model : 'auto',
        temperature : 0.5,
        tools : [ {type : 'function', function : {name : 'f', parameters : {type : 'object'}}} ],
        messages : user('t')
    },
    {
        model : 'model-m',
        messages :
            [ {role : 'user', content : [ {type : 'text', text : 'parts'}, {type : 'image_url', image_url : {url : 'data:,'}} ]} ]
    },
];
const msgSeeds = [
    {model : 'model-m', max_tokens : 8, system : 'sys', messages : user('hi')},
    {model : 'claude-m', max_tokens : 8, stream : true, messages : [ {role : 'user', content : [ {type : 'text', text : 'x'} ]} ]},
    {model : 'model-m', max_tokens : 8, tools : [ {name : 't', input_schema : {type : 'object'}} ], messages : user('t')},
];
const junk = [
    '', '{', '}', '[', ']', '"', ':', ',', 'null', '-1', '1e999', '"\\u0000"', '\\', '\u00e9', '\ud83d\ude00', '{"a":', 'true',
    '0'.repeat(40)
];
const values =
    [ null, true, false, 0, -1, 1.5, 1e308, '', 'x', 'auto', [], {}, [ 1 ], {a : 1}, 'model-m', 'user', 'x'.repeat(300) ];

function mutate(r, seed)
{
    const o = structuredClone(seed);
    const paths = [];
    const walk = (v, p) => {
        paths.push(p);
        if (v && typeof v === 'object')
            for (const k of Object.keys(v))
                walk(v[k], [...p, k ]);
    };
    walk(o, []);
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
        const p = paths[Math.floor(r() * paths.length)];
        if (!p.length)
            continue;
        let parent = o;
        for (const k of p.slice(0, -1))
            parent = parent?.[k];
        if (!parent || typeof parent !== 'object')
            continue;
        const key = p[p.length - 1];
        const op = r();
        if (op < 0.4)
            parent[key] = values[Math.floor(r() * values.length)];
        else if (op < 0.6)
            delete parent[key];
        else if (op < 0.8)
            parent[`k${Math.floor(r() * 5)}`] = values[Math.floor(r() * values.length)];
        else if (Array.isArray(parent[key]))
            for (let j = 0; j < 20; j++)
                parent[key].push(parent[key][0] ?? null);
        else
            parent[key] = [ parent[key], parent[key] ];
    }
    let text = JSON.stringify(o);
    if (r() < 0.3) {
        // byte-level damage: insert, delete or truncate
        const at = Math.floor(r() * text.length);
        const op = r();
        if (op < 0.4)
            text = text.slice(0, at) + junk[Math.floor(r() * junk.length)] + text.slice(at);
        else if (op < 0.7)
            text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 5));
        else
            text = text.slice(0, at);
    }
    let bytes = Buffer.from(text);
    if (r() < 0.05) {
        bytes = Buffer.from(bytes);
        bytes[Math.floor(r() * bytes.length)] = 0x80 + Math.floor(r() * 0x7f); // often invalid UTF-8
    }
    return bytes;
}

function wellFormedError(j, anthropic)
{
    if (anthropic)
        return j?.type === 'error' && typeof j.error?.type === 'string' && typeof j.error?.message === 'string';
    const e = j?.error;
    return e && typeof e.message === 'string' && typeof e.type === 'string' && 'param' in e && 'code' in e;
}

test(`${N_BODIES} mutated bodies each get a well-formed answer`, async () => {
    const r = rng(20261204);
    const statuses = {};
    let i = 0;
    async function worker()
    {
        while (i < N_BODIES) {
            const k = i++;
            const anthropic = k % 4 === 3;
            const pool = anthropic ? msgSeeds : seeds;
            const body = mutate(r, pool[k % pool.length]);
            const res = await fetch(`${gw.url}${anthropic ? '/v1/messages' : '/v1/chat/completions'}`, {
                method : 'POST',
                headers : {'content-type' : 'application/json', 'anthropic-version' : '2023-06-01'},
                body,
            });
            const text = await res.text();
            statuses[res.status] = (statuses[res.status] || 0) + 1;
            assert.ok(res.status >= 200 && res.status < 600, `status ${res.status}`);
            const ctype = res.headers.get('content-type') || '';
            if (res.status === 413 && body.length > 4 * 16384) {
                // documented: past 4x limits.max_body_bytes the body is not read; libevent answers a bare 413
                continue;
            } else if (res.status >= 400) {
                let j = null;
                try {
                    j = JSON.parse(text);
                } catch { /* checked below */
                }
                assert.ok(wellFormedError(j, anthropic),
                          `#${k} ${res.status}: ${text.slice(0, 300)} for ${body.toString('latin1').slice(0, 300)}`);
            } else if (ctype.startsWith('text/event-stream')) {
                for (const block of text.split('\n\n')) {
                    const d = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
                    if (d && d !== '[DONE]')
                        JSON.parse(d);
                }
            } else {
                JSON.parse(text);
            }
        }
    }
    await Promise.all(Array.from({length : 8}, worker));
    const ok = statuses[200] || 0;
    assert.ok(ok > 50 && ok < N_BODIES, `a mix of answers and errors: ${JSON.stringify(statuses)}`);
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
});

const methods = [ 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'BREW', 'G\x00T', '' ];
const paths = [
    '/v1/chat/completions', '/v1/messages', '/v1/models', '/healthz', '/metrics', '/', '*', '/v1/../etc/passwd',
    '/v1/chat/completions?x=1', '/%00',
    '/' +
        'a'.repeat(5000),
    'http://x/v1/models', ''
];
const versions = [ 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FOO', '' ];

function rawCase(r, k)
{
    const pick = (a) => a[Math.floor(r() * a.length)];
    const body = pick([ '', '{}', '{"model":"model-m","messages":[{"role":"user","content":"x"}]}', '{"model":', 'x'.repeat(100) ]);
    const headers = [ 'Host: 127.0.0.1' ];
    const cl = r();
    if (cl < 0.5)
        headers.push(`Content-Length: ${body.length}`);
    else if (cl < 0.6)
        headers.push(`Content-Length: ${pick([ '-1', 'abc', '99999999999999999999', '5', String(body.length + 10) ])}`);
    else if (cl < 0.7)
        headers.push('Transfer-Encoding: chunked');
    if (r() < 0.3)
        headers.push(pick([
            'Content-Type: application/json', 'Authorization: Bearer x',
            'X: ' +
                'y'.repeat(9000),
            'Bad Header', ': empty', 'Expect: 100-continue'
        ]));
    let req = `${pick(methods)} ${pick(paths)} ${pick(versions)}\r\n${headers.join('\r\n')}\r\n\r\n${
        cl >= 0.6 && cl < 0.7 ? `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : body}`;
    if (r() < 0.2)
        req = req.slice(0, Math.floor(r() * req.length));
    if (r() < 0.1)
        req = req.replace(/\r\n/g, '\n');
    return req;
}

test(`${N_RAW} malformed raw requests: a status line or a closed connection, never a hang or a crash`, async () => {
    const r = rng(777);
    const cases = Array.from({length : N_RAW}, (_, k) => rawCase(r, k));
    let i = 0;
    let answered = 0;
    async function worker()
    {
        while (i < cases.length) {
            const k = i++;
            const res = await rawRequest(Number(new URL(gw.url).port), cases[k], 5000);
            assert.ok(!res.timedOut, `#${k} hung: ${JSON.stringify(cases[k].slice(0, 200))}`);
            if (res.data.length) {
                assert.match(res.data, /^HTTP\/1\.[01] [1-5]\d\d /, `#${k}: ${res.data.slice(0, 200)}`);
                answered++;
            }
        }
    }
    await Promise.all(Array.from({length : 8}, worker));
    assert.ok(answered > N_RAW / 2, `most got an answer (${answered}/${N_RAW})`);
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    const s = await fetch(`${gw.url}/v1/chat/completions`,
                          {method : 'POST', body : JSON.stringify({model : 'model-m', messages : user('after')})});
    assert.equal(s.status, 200);
});
