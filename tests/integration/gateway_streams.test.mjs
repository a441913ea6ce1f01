// Streaming: relayed chunk by chunk, include_usage, translation of streams (OpenAI <-> Anthropic),
// failures after the first byte (error event, clean close), idle timeout, client disconnects.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {
    startMock,
    startGateway,
    track,
    backend,
    user,
    streamPost,
    parseSse,
    chunksOf,
    contentOf,
    waitFor,
    sleep,
} from './lib/harness.mjs';

const t = track();
let o, an, gw;

before(async () => {
    [o, an] = await Promise.all([ startMock('o'), startMock('an') ]);
    t.add(o);
    t.add(an);
    gw = t.add(await startGateway({
        backends : [
            backend('o', o, [ 'gpt-x' ], {timeouts : {first_byte_ms : 2000, idle_ms : 400}}),
            backend('an', an, [ 'claude-x' ], {kind : 'anthropic', timeouts : {first_byte_ms : 2000, idle_ms : 400}}),
        ],
        routing : {default : 'o'},
    }));
});

const chatUrl = () => `${gw.url}/v1/chat/completions`;
const msgUrl = () => `${gw.url}/v1/messages`;
const expected = (name, n) => `${name}:` + Array.from({length : n}, (_, i) => ` tok${i}`).join('');

for (const [model, name] of [[ 'gpt-x', 'o' ], [ 'claude-x', 'an' ]]) {
    test(`stream from ${name}: relayed chunk by chunk, the first chunk before the upstream finished`, async () => {
        const r = await streamPost(chatUrl(), {
            model,
            stream : true,
            max_tokens : 20,
            messages : user('count #mock chunks=5 chunk_delay_ms=150'),
        });
        assert.equal(r.status, 200, r.text);
        assert.match(r.headers['content-type'], /^text\/event-stream/);
        assert.equal(r.headers['x-sovereign-backend'], name);
        assert.ok(r.complete, 'the stream ends cleanly');
        const chunks = chunksOf(r.text);
        assert.equal(contentOf(chunks), expected(name, 5));
        assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, 'stop');
        for (const c of chunks)
            assert.equal(c.object, 'chat.completion.chunk');
        assert.ok(r.text.trimEnd().endsWith('data: [DONE]'));
        // the first content arrived while the upstream was still sending (4 x 150 ms to go)
        const first = r.pieces.find((p) => p.data.includes('tok0'));
        const last = r.pieces[r.pieces.length - 1];
        assert.ok(first, 'a piece with the first token');
        assert.ok(last.t - first.t >= 400, `first piece at ${first.t} ms, last at ${last.t} ms`);
        assert.ok(r.pieces.length >= 5, `arrived in ${r.pieces.length} pieces`);
        assert.ok(!chunks.some((c) => c.usage && c.choices.length === 0), 'no usage chunk unless asked');
    });

    test(`stream from ${name}: stream_options.include_usage gives the usage chunk, and usage is counted`, async () => {
        const n = gw.accessLog().length;
        const r = await streamPost(chatUrl(), {
            model,
            stream : true,
            stream_options : {include_usage : true},
            max_tokens : 20,
            messages : user('u #mock chunks=3'),
        });
        assert.equal(r.status, 200);
        const chunks = chunksOf(r.text);
        const u = chunks[chunks.length - 1];
        assert.deepEqual(u.choices, []);
        assert.equal(u.usage.prompt_tokens, 11);
        assert.equal(u.usage.completion_tokens, 3);
        assert.equal(contentOf(chunks), expected(name, 3));
        const log = await gw.waitAccessLog(n + 1);
        const line = log[log.length - 1];
        assert.equal(line.stream, true);
        assert.equal(line.prompt_tokens, 11);
        assert.equal(line.completion_tokens, 3);
    });

    test(`stream from ${name}: usage counted even when the client did not ask for it`, async () => {
        const n = gw.accessLog().length;
        const r = await streamPost(chatUrl(), {model, stream : true, max_tokens : 20, messages : user('u #mock chunks=2')});
        assert.equal(r.status, 200);
        assert.ok(!chunksOf(r.text).some((c) => c.usage && c.choices.length === 0));
        const log = await gw.waitAccessLog(n + 1);
        assert.equal(log[log.length - 1].completion_tokens, 2);
        assert.equal(log[log.length - 1].prompt_tokens, 11);
    });

    test(`Anthropic client streams from ${name} through /v1/messages`, async () => {
        const r = await streamPost(msgUrl(), {
            model,
            stream : true,
            max_tokens : 20,
            messages : user('s #mock chunks=3 chunk_delay_ms=30'),
        },
                                   {headers : {'anthropic-version' : '2023-06-01'}});
        assert.equal(r.status, 200, r.text);
        assert.ok(r.complete);
        const ev = parseSse(r.text);
        const types = ev.map((e) => e.event);
        assert.equal(types[0], 'message_start');
        assert.equal(types[types.length - 1], 'message_stop');
        assert.ok(types.includes('content_block_start') && types.includes('content_block_stop') && types.includes('message_delta'));
        for (const e of ev)
            assert.equal(JSON.parse(e.data).type, e.event, 'event name matches its data type');
        const text = ev.filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data).delta.text).join('');
        assert.equal(text, expected(name, 3));
        const md = JSON.parse(ev.find((e) => e.event === 'message_delta').data);
        assert.equal(md.delta.stop_reason, 'end_turn');
        assert.equal(md.usage.output_tokens, 3);
    });

    test(`stream from ${name}: the upstream breaks mid-stream -> an error event and a clean end`, async () => {
        const r =
            await streamPost(chatUrl(), {model, stream : true, max_tokens : 20, messages : user('b #mock chunks=6 break_after=2')});
        assert.equal(r.status, 200);
        assert.ok(r.complete, 'the response is terminated properly (no hang, no reset)');
        const ev = parseSse(r.text).filter((e) => e.data !== '[DONE]');
        const data = ev.map((e) => JSON.parse(e.data)); // every event is valid JSON
        assert.equal(contentOf(data.filter((d) => d.choices)), expected(name, 2));
        const err = data.find((d) => d.error);
        assert.ok(err, `an error event: ${r.text}`);
        assert.equal(typeof err.error.message, 'string');
    });

    test(`stream from ${name}: an upstream error event mid-stream ends the stream with an error event`, async () => {
        const r =
            await streamPost(chatUrl(), {model, stream : true, max_tokens : 20, messages : user('e #mock chunks=6 error_after=3')});
        assert.equal(r.status, 200);
        assert.ok(r.complete);
        const data = parseSse(r.text).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
        assert.equal(contentOf(data.filter((d) => d.choices)), expected(name, 3));
        assert.ok(data.some((d) => d.error), r.text);
    });

    test(`stream from ${name}: a malformed upstream event mid-stream never reaches the client as is`, async () => {
        const r = await streamPost(chatUrl(),
                                   {model, stream : true, max_tokens : 20, messages : user('m #mock chunks=4 malformed_after=2')});
        assert.equal(r.status, 200);
        assert.ok(r.complete);
        for (const e of parseSse(r.text))
            if (e.data !== '[DONE]')
                JSON.parse(e.data); // throws on a malformed event
    });

    test(`stream from ${name}: an upstream that goes silent hits the idle timeout -> error event, clean end`, async () => {
        const t0 = Date.now();
        const r =
            await streamPost(chatUrl(), {model, stream : true, max_tokens : 20, messages : user('h #mock chunks=6 hang_after=2')});
        const took = Date.now() - t0;
        assert.equal(r.status, 200);
        assert.ok(r.complete);
        assert.ok(took >= 350 && took < 3000, `ended after ${took} ms (idle_ms 400)`);
        const data = parseSse(r.text).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
        assert.equal(contentOf(data.filter((d) => d.choices)), expected(name, 2));
        assert.ok(data.some((d) => d.error), r.text);
    });
}

test('Anthropic client: a mid-stream failure ends with an Anthropic error event', async () => {
    for (const model of ['gpt-x', 'claude-x']) {
        const r =
            await streamPost(msgUrl(), {model, stream : true, max_tokens : 20, messages : user('b #mock chunks=6 break_after=2')},
                             {headers : {'anthropic-version' : '2023-06-01'}});
        assert.equal(r.status, 200);
        assert.ok(r.complete);
        const ev = parseSse(r.text);
        const err = ev.find((e) => e.event === 'error');
        assert.ok(err, `${model}: ${r.text}`);
        const d = JSON.parse(err.data);
        assert.equal(d.type, 'error');
        assert.equal(typeof d.error.type, 'string');
        assert.equal(typeof d.error.message, 'string');
    }
});

test('Anthropic client gets tool_use blocks streamed from both kinds', async () => {
    const tools = [ {name : 'lookup', description : 'd', input_schema : {type : 'object', properties : {q : {type : 'string'}}}} ];
    for (const model of ['gpt-x', 'claude-x']) {
        const r =
            await streamPost(msgUrl(), {model, stream : true, max_tokens : 20, tools, messages : user('t #mock tool=1 chunks=1')},
                             {headers : {'anthropic-version' : '2023-06-01'}});
        assert.equal(r.status, 200, r.text);
        const ev = parseSse(r.text).map((e) => JSON.parse(e.data));
        const start = ev.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
        assert.ok(start, `${model}: ${r.text}`);
        assert.equal(start.content_block.name, 'lookup');
        const json =
            ev.filter((e) => e.type === 'content_block_delta' && e.index === start.index).map((e) => e.delta.partial_json).join('');
        assert.deepEqual(JSON.parse(json), {q : 'mock'});
        assert.equal(ev.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use');
    }
});

for (const [model, mock] of [[ 'gpt-x', () => o ], [ 'claude-x', () => an ]]) {
    test(`a client that disconnects mid-stream cancels the upstream request (${model})`, async () => {
        const m = mock();
        const s0 = await m.stats();
        const r = await streamPost(
            chatUrl(), {model, stream : true, max_tokens : 20, messages : user('c #mock chunks=50 chunk_delay_ms=100')}, {
                onPiece : (p, req) => {
                    if (p.data.includes('tok0'))
                        req.destroy();
                },
            });
        assert.ok(!r.complete);
        const s = await waitFor(async () => {
            const x = await m.stats();
            return x.cancelled > s0.cancelled && x.in_flight === 0 ? x : null;
        }, 3000);
        assert.ok(s, `the mock saw the cancellation: ${JSON.stringify(await m.stats())}`);
    });
}

test('a client that disconnects while waiting for a non-streaming answer cancels the upstream request', async () => {
    const s0 = await o.stats();
    const ac = new AbortController();
    const p = fetch(chatUrl(), {
                  method : 'POST',
                  body : JSON.stringify({model : 'gpt-x', messages : user('w #mock delay_ms=1500')}),
                  signal : ac.signal
              }).catch((e) => e);
    await waitFor(async () => (await o.stats()).in_flight > 0, 2000);
    ac.abort();
    await p;
    const s = await waitFor(async () => {
        const x = await o.stats();
        return x.cancelled > s0.cancelled ? x : null;
    }, 3000);
    assert.ok(s, `cancelled upstream: ${JSON.stringify(await o.stats())}`);
    await sleep(50);
    const log = gw.accessLog();
    assert.ok(log.some((l) => l.status === 499), 'the access log records the client going away');
});

test('long answers arrive whole and in order (2000-chunk stream, 3000-piece plain answer)', async () => {
    for (const model of [ 'gpt-x', 'claude-x' ]) {
        const name = model === 'gpt-x' ? 'o' : 'an';
        const r = await streamPost(chatUrl(), {model, stream : true, max_tokens : 20, messages : user('l #mock chunks=2000')});
        assert.equal(r.status, 200);
        assert.ok(r.complete);
        assert.equal(contentOf(chunksOf(r.text)), expected(name, 2000));
        const p = await fetch(chatUrl(), {method : 'POST', body : JSON.stringify({model, max_tokens : 20, messages : user('l #mock chunks=3000')})});
        const j = await p.json();
        assert.equal(j.choices[0].message.content, expected(name, 3000));
    }
});

test('many concurrent streams and answers on two workers never mix', async () => {
    const g = t.add(await startGateway({
        backends : [ backend('o', o, [ 'gpt-x' ]), backend('an', an, [ 'claude-x' ], {kind : 'anthropic'}) ],
    }, {workers : 2}));
    const jobs = [];
    for (let i = 0; i < 120; i++) {
        const model = i % 2 ? 'gpt-x' : 'claude-x';
        const n = 1 + (i % 7);
        const stream = i % 3 !== 0;
        const body = {model, stream, max_tokens : 20, messages : user(`job ${i} #mock chunks=${n} chunk_delay_ms=${i % 4}`)};
        jobs.push((async () => {
            const r = await streamPost(`${g.url}/v1/chat/completions`, body);
            const want = expected(model === 'gpt-x' ? 'o' : 'an', n);
            if (stream)
                assert.equal(contentOf(chunksOf(r.text)), want, `job ${i}`);
            else
                assert.equal(JSON.parse(r.text).choices[0].message.content, want, `job ${i}`);
        })());
    }
    await Promise.all(jobs);
});

test('an Anthropic-format client that disconnects mid-stream cancels the upstream request', async () => {
    for (const [model, m] of [ [ 'gpt-x', o ], [ 'claude-x', an ] ]) {
        const s0 = await m.stats();
        const r = await streamPost(msgUrl(), {model, stream : true, max_tokens : 20, messages : user('c #mock chunks=50 chunk_delay_ms=100')}, {
            headers : {'anthropic-version' : '2023-06-01'},
            onPiece : (p, req) => {
                if (p.data.includes('tok0'))
                    req.destroy();
            },
        });
        assert.ok(!r.complete);
        const s = await waitFor(async () => {
            const x = await m.stats();
            return x.cancelled > s0.cancelled && x.in_flight === 0 ? x : null;
        }, 3000);
        assert.ok(s, `${model}: ${JSON.stringify(await m.stats())}`);
    }
});
