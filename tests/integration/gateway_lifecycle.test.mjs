// The gateway's life: SIGTERM drains (in-flight requests finish, new connections are refused),
// the shutdown deadline, the whole-request deadline, --check-config and --listen.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import net from 'node:net';
import {
    startMock,
    startGateway,
    track,
    backend,
    chat,
    user,
    streamPost,
    chunksOf,
    contentOf,
    tmpFile,
    toYaml,
    waitFor,
    sleep,
    deadPort,
    BIN,
    openaiError,
} from './lib/harness.mjs';

const t = track();
let m;

before(async () => { m = t.add(await startMock('m')); });

function connectable(port)
{
    return new Promise((res) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => {
            s.destroy();
            res(true);
        });
        s.on('error', () => res(false));
    });
}

test('SIGTERM: the stream in flight finishes, new connections are refused, exit 0', async () => {
    const gw = t.add(
        await startGateway({backends : [ backend('m', m, [ 'model-m' ]) ], limits : {shutdown_grace_ms : 5000}}, {workers : 2}));
    const port = Number(new URL(gw.url).port);
    let signalled = false;
    const inflight = streamPost(`${gw.url}/v1/chat/completions`, {
        model : 'model-m',
        stream : true,
        messages : user('drain #mock chunks=8 chunk_delay_ms=100'),
    },
                                {
                                    onPiece : (p) => {
                                        if (!signalled && p.data.includes('tok0')) {
                                            signalled = true;
                                            gw.proc.kill('SIGTERM');
                                        }
                                    },
                                });
    await waitFor(() => signalled, 3000);
    const refused = await waitFor(async () => !(await connectable(port)), 2000);
    assert.ok(refused, 'the listening socket is closed once SIGTERM arrives');
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.ok(r.complete, 'the in-flight stream ended normally');
    assert.equal(contentOf(chunksOf(r.text)), 'm: tok0 tok1 tok2 tok3 tok4 tok5 tok6 tok7');
    assert.ok(r.text.includes('data: [DONE]'));
    const {code} = await gw.exited;
    assert.equal(code, 0);
    const log = gw.accessLog();
    assert.ok(log.some((l) => l.status === 200 && l.stream === true), 'the drained request is in the access log');
});

test('SIGTERM: a plain request in flight gets its answer', async () => {
    const gw = t.add(await startGateway({backends : [ backend('m', m, [ 'model-m' ]) ], limits : {shutdown_grace_ms : 5000}}));
    const p = chat(gw, {model : 'model-m', messages : user('slow #mock delay_ms=600')});
    await waitFor(async () => (await m.stats()).in_flight > 0, 2000);
    gw.proc.kill('SIGTERM');
    const r = await p;
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'm: tok0 tok1 tok2 tok3');
    assert.equal((await gw.exited).code, 0);
});

test('SIGTERM: requests still running at shutdown_grace_ms do not keep the gateway up', async () => {
    const gw = t.add(await startGateway({backends : [ backend('m', m, [ 'model-m' ]) ], limits : {shutdown_grace_ms : 300}}));
    const p = chat(gw, {model : 'model-m', messages : user('forever #mock hang=1')}).catch((e) => e);
    await waitFor(async () => (await m.stats()).in_flight > 0, 2000);
    const t0 = Date.now();
    gw.proc.kill('SIGTERM');
    const {code} = await gw.exited;
    const took = Date.now() - t0;
    assert.ok(took < 3000, `exited after ${took} ms`);
    assert.equal(code, 0);
    await p;
    assert.ok(await waitFor(async () => (await m.stats()).in_flight === 0, 3000), 'the upstream request was closed');
});

test('limits.request_timeout_ms bounds a request across attempts: 504 request_timeout', async () => {
    const gw = t.add(await startGateway({
        backends : [ backend('m', m, [ 'model-m' ], {timeouts : {first_byte_ms : 10000}}) ],
        limits : {request_timeout_ms : 400},
    }));
    const t0 = Date.now();
    const r = await chat(gw, {model : 'model-m', messages : user('x #mock hang=1')});
    openaiError(assert, r, 504, 'request_timeout');
    assert.ok(Date.now() - t0 < 3000);
});

test('--check-config names the offending key and line, one line on stderr, exit 2', () => {
    const good = tmpFile('good.yaml', toYaml({backends : [ backend('m', m, [ 'model-m' ]) ]}));
    const ok = spawnSync(BIN, [ 'serve', '--check-config', good ], {encoding : 'utf8'});
    assert.equal(ok.status, 0, ok.stderr);
    const bad =
        tmpFile('bad.yaml',
                'server:\n  listne: 127.0.0.1:0\nbackends:\n  - name: m\n    kind: openai\n    base_url: http://127.0.0.1:1/v1\n');
    const r = spawnSync(BIN, [ 'serve', '--check-config', bad ], {encoding : 'utf8'});
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /server\.listne \(line 2\)/);
    const bad2 = tmpFile(
        'bad2.yaml',
        'backends:\n  - name: m\n    kind: openai\n    base_url: http://127.0.0.1:1/v1\n    timeouts:\n      connect_ms: -5\n');
    const r2 = spawnSync(BIN, [ 'serve', '--check-config', bad2 ], {encoding : 'utf8'});
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /connect_ms \(line 6\)/);
});

test('--listen overrides server.listen', async () => {
    const port = await deadPort();
    const gw =
        t.add(await startGateway({backends : [ backend('m', m, [ 'model-m' ]) ]}, {args : [ '--listen', `127.0.0.1:${port}` ]}));
    assert.equal(new URL(gw.url).port, String(port));
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    await gw.stop();
    await sleep(10);
});

test('limits.request_timeout_ms during a stream: an error event, then a clean end', async () => {
    const gw = t.add(await startGateway({backends : [ backend('m', m, [ 'model-m' ]) ], limits : {request_timeout_ms : 500}}));
    const t0 = Date.now();
    const r = await streamPost(`${gw.url}/v1/chat/completions`,
                               {model : 'model-m', stream : true, messages : user('x #mock chunks=20 chunk_delay_ms=100')});
    const took = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(r.complete);
    assert.ok(took >= 450 && took < 3000, `${took} ms`);
    const data = chunksOf(r.text);
    assert.ok(data.some((d) => d.error), r.text);
    assert.ok(contentOf(data.filter((d) => d.choices)).startsWith('m: tok0'));
    assert.ok(await waitFor(async () => (await m.stats()).in_flight === 0, 3000), 'the upstream call was cancelled');
});
