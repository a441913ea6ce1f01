// Failover along the fallback chain before the first byte: connection refused, 429, 5xx,
// first-byte timeout, unreadable answers, a full concurrency cap; what the client gets when the
// whole chain fails; and errors that must not fail over (4xx).
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
    startMock,
    startGateway,
    track,
    backend,
    chat,
    messages,
    user,
    deadPort,
    streamPost,
    chunksOf,
    contentOf,
    parseSse,
    openaiError,
    anthropicError,
    metrics,
    waitFor,
} from './lib/harness.mjs';

const t = track();
let p, s, an, gw, dead;

before(async () => {
    [p, s, an] = await Promise.all([ startMock('p'), startMock('s'), startMock('an') ]);
    t.add(p);
    t.add(s);
    t.add(an);
    dead = await deadPort();
    const to = {connect_ms : 500, first_byte_ms : 400, idle_ms : 1000};
    gw = t.add(await startGateway({
        backends : [
            backend('down', `http://127.0.0.1:${dead}/v1`, [ 'm-down' ], {timeouts : to}),
            backend('p', p, [ 'm-p' ], {timeouts : to}),
            backend('an', an, [ 'm-an' ], {kind : 'anthropic', timeouts : to}),
            backend('s', s, [ 'm-s' ], {timeouts : to}),
        ],
        routing : {default : 'p', fallback : [ 'an', 's' ]},
    }));
});

async function lastLine(n)
{
    const log = await gw.waitAccessLog(n + 1);
    return log[log.length - 1];
}

test('connection refused moves the request to the fallback chain', async () => {
    const n = gw.accessLog().length;
    const r = await chat(gw, {model : 'm-down', messages : user('x')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'an', 'the first fallback answers');
    assert.equal(r.json.choices[0].message.content, 'an: tok0 tok1 tok2 tok3');
    const line = await lastLine(n);
    assert.equal(line.backend, 'an');
    assert.equal(line.attempts, 2);
});

for (const [directive, what] of [[ 'status=429 retry_after=7', '429' ], [ 'status=500', '500' ], [ 'status=503', '503' ],
                                 [ 'hang=1', 'a first-byte timeout' ], [ 'delay_ms=1500', 'a slow first byte' ],
                                 [ 'malformed_after=0', 'an unreadable answer' ],
                                 [ 'break_after=0', 'a connection closed mid-answer' ],
                                 [ 'error_after=0', 'an error event as the first event' ]]) {
    if (directive !== 'error_after=0')
        test(`${what} from the chosen backend moves a plain request to the next backend`, async () => {
            const t0 = Date.now();
            const r =
                await chat(gw, {model : 'm-p', max_tokens : 10, messages : user(`x #mock p.${directive.replace(/ /g, ' p.')}`)});
            assert.equal(r.status, 200, r.text);
            assert.equal(r.headers.get('x-sovereign-backend'), 'an');
            assert.equal(r.json.choices[0].message.content, 'an: tok0 tok1 tok2 tok3');
            assert.ok(Date.now() - t0 < 3000);
        });

    // (break_after=0 on a stream breaks after the role chunk, which already reached the client)
    if (directive !== 'break_after=0')
        test(`${what} before the first byte of a stream moves it to the next backend`, async () => {
            const r = await streamPost(`${gw.url}/v1/chat/completions`, {
                model : 'm-p',
                stream : true,
                max_tokens : 10,
                messages : user(`x #mock p.${directive.replace(/ /g, ' p.')}`),
            });
            assert.equal(r.status, 200, r.text);
            assert.equal(r.headers['x-sovereign-backend'], 'an');
            assert.ok(r.complete);
            const chunks = chunksOf(r.text);
            assert.equal(contentOf(chunks), 'an: tok0 tok1 tok2 tok3');
            assert.ok(!r.text.includes('"error"'), r.text);
        });
}

test('the chain goes on past a second failure', async () => {
    const n = gw.accessLog().length;
    const r = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock p.status=503 an.status=529')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 's');
    assert.equal((await lastLine(n)).attempts, 3);
});

test('when the whole chain fails the client gets one error, and 429 keeps the upstreams\' Retry-After', async () => {
    const r = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=503')});
    assert.ok(r.status >= 500 && r.status < 600, r.text);
    openaiError(assert, r, r.status);
    const r2 = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=429 retry_after=9')});
    openaiError(assert, r2, 429);
    assert.equal(r2.headers.get('retry-after'), '9', "the upstreams' Retry-After reaches the client");
    const r4 = await messages(
        gw,
        {model : 'm-p', max_tokens : 10, messages : user('x #mock status=429 p.retry_after=4 an.retry_after=6 s.retry_after=2')});
    anthropicError(assert, r4, 429);
    assert.equal(r4.headers.get('retry-after'), '6', 'the longest wait asked for');
    const r3 = await messages(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=503')});
    anthropicError(assert, r3, r3.status);
    assert.ok(r3.status >= 500);
});

test('an upstream Retry-After given as an HTTP-date reaches the client as seconds', async () => {
    const r = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=429 retry_date=120')});
    openaiError(assert, r, 429);
    const ra = r.headers.get('retry-after');
    assert.match(ra ?? '', /^\d+$/, `a numeric Retry-After, got ${ra}`);
    assert.ok(Number(ra) >= 115 && Number(ra) <= 120, `about 120 seconds, got ${ra}`);
    const r2 = await messages(
        gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=429 p.retry_date=30 an.retry_date=300 s.retry_after=2')});
    anthropicError(assert, r2, 429);
    const ra2 = Number(r2.headers.get('retry-after'));
    assert.ok(ra2 >= 295 && ra2 <= 300, `the longest wait asked for, got ${r2.headers.get('retry-after')}`);
    const r3 = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock status=429 retry_date=0')});
    openaiError(assert, r3, 429);
    assert.equal(r3.headers.get('retry-after'), '1', 'a date already reached: the default wait of 1 s');
});

test('a stream whose whole chain fails gets an error before any byte, not a broken stream', async () => {
    const r = await streamPost(`${gw.url}/v1/chat/completions`,
                               {model : 'm-p', stream : true, max_tokens : 10, messages : user('x #mock status=500')});
    assert.ok(r.status >= 500, `${r.status} ${r.text}`);
    const j = JSON.parse(r.text);
    assert.ok(j.error && typeof j.error.message === 'string');
});

test('a 4xx from upstream (not 408/429) is not retried elsewhere', async () => {
    const before = (await s.stats()).requests + (await an.stats()).requests;
    const r = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock p.status=400')});
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error, r.text);
    const after = (await s.stats()).requests + (await an.stats()).requests;
    assert.equal(after, before, 'no other backend was called');
});

test('failovers and upstream errors are counted in the metrics, by backend', async () => {
    const m0 = await metrics(gw);
    const r = await chat(gw, {model : 'm-p', max_tokens : 10, messages : user('x #mock p.status=503')});
    assert.equal(r.status, 200);
    const m1 = await metrics(gw);
    assert.equal(m1.get('sovereign_failovers_total', {backend : 'p'}) - m0.get('sovereign_failovers_total', {backend : 'p'}), 1);
    assert.equal(
        m1.get('sovereign_upstream_errors_total', {backend : 'p'}) - m0.get('sovereign_upstream_errors_total', {backend : 'p'}), 1);
    assert.equal(m1.get('sovereign_failovers_total', {backend : 'an'}) - m0.get('sovereign_failovers_total', {backend : 'an'}), 0);
});

test('a full concurrency cap moves the request on', async () => {
    const cap = await startMock('cap');
    const other = await startMock('other');
    t.add(cap);
    t.add(other);
    const g = t.add(await startGateway({
        backends : [ backend('cap', cap, [ 'm-cap' ], {max_concurrency : 1}), backend('other', other, [ 'm-other' ]) ],
        routing : {default : 'cap', fallback : [ 'other' ]},
    }));
    const slow = chat(g, {model : 'm-cap', messages : user('slow #mock delay_ms=800')});
    assert.ok(await waitFor(async () => (await cap.stats()).in_flight > 0, 3000), 'the first request is in flight');
    const r = await chat(g, {model : 'm-cap', messages : user('second')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'other');
    const r1 = await slow;
    assert.equal(r1.headers.get('x-sovereign-backend'), 'cap');
});

test('a connect timeout (a listener that accepts nothing) moves the request on', async () => {
    const bh = t.add(await startMock('bh', {blackhole : true}));
    const other = t.add(await startMock('other2'));
    // fill the black hole's accept queue, so that the kernel drops the gateway's SYNs
    const fillers = [ 0, 1, 2 ].map(() => net.connect(bh.port, '127.0.0.1').on('error', () => {}));
    try {
        const g = t.add(await startGateway({
            backends : [
                backend('bh', bh, [ 'm-bh' ], {timeouts : {connect_ms : 300, first_byte_ms : 5000}}),
                backend('other2', other, [ 'm-other2' ]),
            ],
            routing : {default : 'bh', fallback : [ 'other2' ]},
        }));
        const t0 = Date.now();
        const r = await chat(g, {model : 'm-bh', messages : user('x')});
        const took = Date.now() - t0;
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('x-sovereign-backend'), 'other2');
        assert.ok(took >= 250 && took < 3000, `failed over after ${took} ms (connect_ms 300)`);
        const m = await metrics(g);
        assert.equal(m.get('sovereign_upstream_errors_total', {backend : 'bh'}), 1, m.text);
    } finally {
        for (const f of fillers)
            f.destroy();
    }
});

test('an Anthropic-format stream fails over before its first byte too', async () => {
    for (const d of [ 'p.status=503', 'p.hang=1', 'p.malformed_after=0' ]) {
        const r = await streamPost(`${gw.url}/v1/messages`,
                                   {model : 'm-p', stream : true, max_tokens : 10, messages : user(`x #mock ${d} chunks=2`)},
                                   {headers : {'anthropic-version' : '2023-06-01'}});
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers['x-sovereign-backend'], 'an', d);
        const ev = parseSse(r.text);
        assert.equal(ev[0].event, 'message_start');
        assert.equal(ev[ev.length - 1].event, 'message_stop');
        assert.ok(!ev.some((e) => e.event === 'error'), r.text);
        const text = ev.filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data).delta.text).join('');
        assert.equal(text, 'an: tok0 tok1');
    }
});

test('an anthropic-kind backend fails over the same way, plain and streaming', async () => {
    for (const d of [ 'status=429', 'status=529', 'status=500', 'hang=1', 'malformed_after=0', 'error_after=0', 'break_after=0' ]) {
        for (const stream of [ false, true ]) {
            if (!stream && (d === 'error_after=0'))
                continue;
            const body = {model : 'm-an', stream, max_tokens : 10, messages : user(`x #mock an.${d}`)};
            const r = await streamPost(`${gw.url}/v1/chat/completions`, body);
            if (stream && d === 'break_after=0') {
                // message_start already became the first chunk: the stream ends with an error event
                assert.equal(r.status, 200);
                assert.ok(r.complete, d);
                continue;
            }
            assert.equal(r.status, 200, `${d} stream=${stream}: ${r.text}`);
            assert.equal(r.headers['x-sovereign-backend'], 's', `${d} stream=${stream}`);
            const content = stream ? contentOf(chunksOf(r.text)) : JSON.parse(r.text).choices[0].message.content;
            assert.equal(content, 's: tok0 tok1 tok2 tok3', `${d} stream=${stream}`);
        }
    }
});
