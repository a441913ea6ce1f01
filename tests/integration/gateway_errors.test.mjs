// Bad input gets the right 4xx with an OpenAI-style error ({"error":{message,type,param,code}}),
// or an Anthropic-style one on /v1/messages; limits; client auth.
import {test, before, describe} from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {join} from 'node:path';
import {
    startMock,
    startGateway,
    track,
    backend,
    chat,
    messages,
    user,
    post,
    rawRequest,
    openaiError,
    anthropicError,
    SOURCE_DIR,
} from './lib/harness.mjs';

const t = track();
let m, gw;

before(async () => {
    m = t.add(await startMock('m'));
    gw = t.add(await startGateway({
        backends : [ backend('m', m, [ 'model-m' ]) ],
        limits : {max_body_bytes : 4096, max_messages : 3, max_prompt_bytes : 2000},
    },
                                  {workers : 2}));
});

const port = () => Number(new URL(gw.url).port);

describe('OpenAI-style errors on /v1/chat/completions', () => {
    const cases = [
        [ 'malformed JSON', '{"model": "model-m", "messages": [', 400, 'invalid_json', null ],
        [ 'an empty body', '', 400, 'invalid_json', null ],
        [ 'a JSON array', '[1,2]', 400, undefined, null ],
        [ 'a missing model', {messages : user('x')}, 400, undefined, 'model' ],
        [ 'a numeric model', {model : 7, messages : user('x')}, 400, undefined, 'model' ],
        [ 'missing messages', {model : 'model-m'}, 400, undefined, 'messages' ],
        [ 'messages not an array', {model : 'model-m', messages : 'hi'}, 400, undefined, 'messages' ],
        [ 'empty messages', {model : 'model-m', messages : []}, 400, undefined, 'messages' ],
        [ 'a message that is not an object', {model : 'model-m', messages : [ 'hi' ]}, 400, undefined, 'messages[0]' ],
        [
            'an unknown role', {model : 'model-m', messages : [ {role : 'robot', content : 'x'} ]}, 400, undefined,
            'messages[0].role'
        ],
        [
            'numeric content', {model : 'model-m', messages : [ {role : 'user', content : 5} ]}, 400, undefined,
            'messages[0].content'
        ],
        [ 'stream not a boolean', {model : 'model-m', messages : user('x'), stream : 'yes'}, 400, undefined, 'stream' ],
        [ 'max_tokens a string', {model : 'model-m', messages : user('x'), max_tokens : '10'}, 400, undefined, 'max_tokens' ],
        [ 'temperature out of range', {model : 'model-m', messages : user('x'), temperature : 9}, 400, undefined, 'temperature' ],
        [ 'tools not an array', {model : 'model-m', messages : user('x'), tools : {}}, 400, undefined, 'tools' ],
        [
            'too many messages (limits.max_messages)',
            {model : 'model-m', messages : [...user('1'), ...user('2'), ...user('3'), ...user('4') ]}, 400, undefined, 'messages'
        ],
        [
            'a prompt over limits.max_prompt_bytes', {model : 'model-m', messages : user('p'.repeat(2500))}, 413, undefined,
            'messages'
        ],
        [ 'an unknown model', {model : 'no-such-model', messages : user('x')}, 404, 'model_not_found', 'model' ],
    ];
    for (const [what, body, status, code, param] of cases) {
        test(what, async () => {
            const before = (await m.stats()).requests;
            const r = await chat(gw, body);
            const e = openaiError(assert, r, status, code);
            if (param !== null)
                assert.equal(e.param, param, r.text);
            assert.match(r.headers.get('content-type'), /application\/json/);
            assert.equal((await m.stats()).requests, before, 'nothing reached the upstream');
        });
    }

    test('a body over limits.max_body_bytes gets 413 request_too_large', async () => {
        const r = await chat(gw, {model : 'model-m', messages : user('x'.repeat(5000))});
        openaiError(assert, r, 413, 'request_too_large');
    });

    test('a body far over the limit gets a 413 status line, and the gateway stays up', async () => {
        const big = JSON.stringify({model : 'model-m', messages : user('y'.repeat(40000))});
        const r = await rawRequest(
            port(), `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${
                        big.length}\r\n\r\n${big}`);
        assert.match(r.data, /^HTTP\/1\.1 413/);
        assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    });

    test('invalid UTF-8 gets 400 invalid_utf8', async () => {
        const bytes = Buffer.concat([
            Buffer.from('{"model":"model-m","messages":[{"role":"user","content":"caf'), Buffer.from([ 0xc3, 0x28 ]),
            Buffer.from('"}]}')
        ]);
        const r = await chat(gw, new Uint8Array(bytes));
        openaiError(assert, r, 400, 'invalid_utf8');
    });

    test('duplicate keys are refused as malformed JSON', async () => {
        const r = await chat(gw, '{"model":"model-m","model":"other","messages":[{"role":"user","content":"x"}]}');
        openaiError(assert, r, 400, 'invalid_json');
    });

    test('a wrong method gets 405 with an Allow header', async () => {
        const r = await post(`${gw.url}/v1/chat/completions`, undefined, {method : 'GET'});
        openaiError(assert, r, 405, 'method_not_allowed');
        assert.equal(r.headers.get('allow'), 'POST');
        const r2 = await post(`${gw.url}/v1/chat/completions`, {model : 'model-m'}, {method : 'PUT'});
        openaiError(assert, r2, 405);
    });

    test('an unknown path gets 404', async () => {
        for (const path of ['/', '/v1/chat', '/v1/completions', '/v2/chat/completions', '/v1/chat/completions/x']) {
            const r = await post(`${gw.url}${path}`, {model : 'model-m', messages : user('x')});
            openaiError(assert, r, 404);
        }
    });

    test('concurrent bad requests on two workers each name their own param', async () => {
        const reqs = [];
        for (let i = 0; i < 200; i++) {
            const k = i % 3;
            const msgs = [...user('a'), ...user('b'), ...user('c') ].slice(0, k + 1);
            msgs[k] = {role : 'robot', content : 'x'};
            reqs.push(chat(gw, {model : 'model-m', messages : msgs}).then((r) => [k, r]));
        }
        for (const [k, r] of await Promise.all(reqs))
            assert.equal(openaiError(assert, r, 400).param, `messages[${k}].role`);
    });
});

describe('Anthropic-style errors on /v1/messages', () => {
    const cases = [
        [ 'malformed JSON', '{"model": "model-m", "max_tokens": 5, "messages": [', 400 ],
        [ 'a missing model', {max_tokens : 5, messages : user('x')}, 400 ],
        [ 'missing max_tokens', {model : 'model-m', messages : user('x')}, 400 ],
        [ 'messages not an array', {model : 'model-m', max_tokens : 5, messages : {}}, 400 ],
        [ 'a wrong role', {model : 'model-m', max_tokens : 5, messages : [ {role : 'system', content : 'x'} ]}, 400 ],
        [ 'numeric content', {model : 'model-m', max_tokens : 5, messages : [ {role : 'user', content : 1} ]}, 400 ],
        [ 'an unknown model', {model : 'no-such-model', max_tokens : 5, messages : user('x')}, 404 ],
    ];
    for (const [what, body, status] of cases) {
        test(what, async () => {
            const r = await messages(gw, body);
            anthropicError(assert, r, status, status === 404 ? 'not_found_error' : 'invalid_request_error');
        });
    }

    test('a body over the limit', async () => {
        const r = await messages(gw, {model : 'model-m', max_tokens : 5, messages : user('x'.repeat(5000))});
        anthropicError(assert, r, 413);
    });

    test('invalid UTF-8', async () => {
        const bytes = Buffer.concat([
            Buffer.from('{"model":"model-m","max_tokens":5,"messages":[{"role":"user","content":"'), Buffer.from([ 0xff, 0xfe ]),
            Buffer.from('"}]}')
        ]);
        anthropicError(assert, await messages(gw, new Uint8Array(bytes)), 400);
    });

    test('a wrong method',
         async () => { anthropicError(assert, await post(`${gw.url}/v1/messages`, undefined, {method : 'GET'}), 405); });
});

describe('client auth', () => {
    const KEY1 = 'sov-client-key-one-81b2', KEY2 = 'sov-client-key-two-c3d4', HASHED = 'sov-hashed-key-9e8f';
    let g;
    before(async () => {
        g = t.add(await startGateway({
            backends : [ backend('m', m, [ 'model-m' ]) ],
            auth : {keys_env : 'IT_CLIENT_KEYS', key_sha256 : [ createHash('sha256').update(HASHED).digest('hex') ]},
        },
                                     {env : {IT_CLIENT_KEYS : `${KEY1}, ${KEY2}`}}));
    });

    test('no key, a wrong key or a key prefix get 401 invalid_api_key', async () => {
        for (const headers of [{}, {authorization : 'Bearer nope'}, {authorization : `Bearer ${KEY1.slice(0, -1)}`},
                               {authorization : `Bearer ${KEY1}x`}, {authorization : KEY1}, {authorization : 'Bearer '}]) {
            const r = await chat(g, {model : 'model-m', messages : user('x')}, {headers});
            openaiError(assert, r, 401, 'invalid_api_key');
        }
        anthropicError(assert, await messages(g, {model : 'model-m', max_tokens : 5, messages : user('x')}), 401,
                       'authentication_error');
        assert.equal((await fetch(`${g.url}/v1/models`)).status, 401);
    });

    test('keys from the environment and from hashes are accepted', async () => {
        for (const k of [KEY1, KEY2, HASHED]) {
            const r = await chat(g, {model : 'model-m', messages : user('x')}, {headers : {authorization : `Bearer ${k}`}});
            assert.equal(r.status, 200, r.text);
        }
        const r = await messages(g, {model : 'model-m', max_tokens : 5, messages : user('x')}, {headers : {'x-api-key' : KEY2}});
        assert.equal(r.status, 200, r.text);
        assert.equal((await fetch(`${g.url}/v1/models`, {headers : {authorization : `Bearer ${KEY1}`}})).status, 200);
    });

    test('/healthz and /metrics stay open', async () => {
        assert.equal((await fetch(`${g.url}/healthz`)).status, 200);
        assert.equal((await fetch(`${g.url}/metrics`)).status, 200);
    });

    test('client keys never reach the logs or the upstream', async () => {
        await chat(g, {model : 'model-m', messages : user('x')}, {headers : {authorization : `Bearer ${KEY1}`}});
        await g.waitAccessLog(1);
        for (const k of [KEY1, KEY2, HASHED])
            assert.ok(!g.log().includes(k));
        const last = await m.last();
        assert.ok(!JSON.stringify(last.headers).includes(KEY1), 'the client key is not forwarded');
    });

    test('the key comparison is constant-time (digests compared with sov_ct_equal, no early exit)', () => {
        const server = readFileSync(join(SOURCE_DIR, 'src/http/server.c'), 'utf8');
        const fn = server.slice(server.indexOf('static bool authorized'), server.indexOf('/* ---- the path table'));
        assert.match(fn, /SHA256\(/);
        assert.match(fn, /ok \|= sov_ct_equal\(/);
        assert.doesNotMatch(fn, /memcmp|strcmp\(key/);
        const util = readFileSync(join(SOURCE_DIR, 'src/common/util.c'), 'utf8');
        const ct = util.slice(util.indexOf('bool sov_ct_equal'));
        assert.match(ct.slice(0, ct.indexOf('\n}')), /\|=/, 'accumulates differences instead of returning early');
    });

    test('a keys_env that is empty stops the start with a clear error', async () => {
        await assert.rejects(startGateway({backends : [ backend('m', m, [ 'model-m' ]) ], auth : {keys_env : 'IT_EMPTY_KEYS'}},
                                          {env : {IT_EMPTY_KEYS : ''}}),
                             /IT_EMPTY_KEYS/);
    });
});

test('a connection stays usable after error answers (keep-alive)', async () => {
    const agent = new http.Agent({keepAlive : true, maxSockets : 1});
    const send = (body) => new Promise((res, rej) => {
        const u = new URL(`${gw.url}/v1/chat/completions`);
        const req = http.request({host : u.hostname, port : u.port, path : u.pathname, method : 'POST', agent,
                                  headers : {'content-type' : 'application/json', 'content-length' : Buffer.byteLength(body)}},
                                 (r) => {
                                     let text = '';
                                     r.on('data', (d) => (text += d));
                                     r.on('end', () => res({status : r.statusCode, text, reused : req.reusedSocket}));
                                 });
        req.on('error', rej);
        req.end(body);
    });
    const seq = [ '{bad', JSON.stringify({model : 'model-m', messages : user('z'.repeat(6000))}), JSON.stringify({model : 'nope', messages : user('x')}), JSON.stringify({model : 'model-m', messages : []}),
                  JSON.stringify({model : 'model-m', messages : user('ok')}) ];
    const out = [];
    for (const b of seq)
        out.push(await send(b));
    agent.destroy();
    assert.deepEqual(out.map((o) => o.status), [ 400, 413, 404, 400, 200 ]);
    assert.deepEqual(out.map((o) => o.reused), [ false, true, true, true, true ], 'one connection for all five');
    assert.equal(JSON.parse(out[4].text).choices[0].message.content, 'm: tok0 tok1 tok2 tok3');
});
