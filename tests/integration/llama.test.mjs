// The in-process llama.cpp node (backend kind `llama`) through the gateway, on a model made by
// `sovereign gen-tiny-model` and on $SOV_SHARED_DATA/models/llama-2-tiny-random.gguf (a real 32k
// Llama-2 tokenizer): plain, streaming, stop sequences, logprobs, JSON mode, confidence header and
// metrics, always-valid UTF-8, embeddings, concurrency beyond the slots (429), client disconnect,
// bad models at --check-config and at start.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync, existsSync, truncateSync, unlinkSync} from 'node:fs';
import {join} from 'node:path';
import {
    BIN,
    SOURCE_DIR,
    startGateway,
    track,
    chat,
    messages,
    parseSse,
    post,
    user,
    streamPost,
    chunksOf,
    contentOf,
    openaiError,
    metrics,
    tmpFile,
    toYaml,
    sleep,
} from './lib/harness.mjs';

const SHARED = process.env.SOV_SHARED_DATA || join(SOURCE_DIR, '../shared/data');
const REAL = join(SHARED, 'models/llama-2-tiny-random.gguf');
const t = track();
let tiny, embedModel, gw, busy;

function gen(args)
{
    return spawnSync(BIN, [ 'gen-tiny-model', ...args ], {encoding : 'utf8'});
}

const node = (name, model, models, extra = {}) =>
    ({name, kind : 'llama', model, models, tier : 'local', ctx_size : 1024, threads : 1, ...extra});

before(async () => {
    tiny = tmpFile('tiny.gguf', '');
    embedModel = tmpFile('embed.gguf', '');
    assert.equal(gen([ '--seed', '7', tiny ]).status, 0);
    assert.equal(gen([ '--embedding', embedModel ]).status, 0);
    gw = t.add(await startGateway({
        backends : [
            node('tiny', tiny, [ 'tiny' ], {parallel : 2}),
            node('real', REAL, [ 'real' ], {parallel : 2}),
            node('emb', embedModel, [ 'emb' ]),
        ],
        routing : {default : 'tiny'},
    }));
    busy = t.add(await startGateway({
        backends : [ node('one', REAL, [ 'one' ], {parallel : 1, max_queue : 1, ctx_size : 2048}) ],
    }));
});

// The raw bytes of an answer must be valid UTF-8 (TextDecoder fatal throws otherwise).
async function rawChat(g, body)
{
    const r = await fetch(`${g.url}/v1/chat/completions`, {method : 'POST', body : JSON.stringify(body)});
    const bytes = new Uint8Array(await r.arrayBuffer());
    const text = new TextDecoder('utf-8', {fatal : true}).decode(bytes);
    return {status : r.status, headers : r.headers, json : JSON.parse(text)};
}

test('gen-tiny-model: the same seed gives the same bytes, another seed other weights; bad usage is one line, exit 2', () => {
    const a = tmpFile('a.gguf', ''), b = tmpFile('b.gguf', ''), c = tmpFile('c.gguf', '');
    assert.equal(gen([ '--seed', '3', a ]).status, 0);
    assert.equal(gen([ '--seed', '3', b ]).status, 0);
    assert.equal(gen([ '--seed', '4', c ]).status, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
    assert.ok(!readFileSync(a).equals(readFileSync(c)));
    assert.equal(readFileSync(a).subarray(0, 4).toString(), 'GGUF');
    for (const args of [ [], [ '--layers', 'x', a ], [ '--embd', '63', a ], [ a, b ], [ '--bogus', a ] ]) {
        const r = gen(args);
        assert.equal(r.status, 2, `${args}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(gen([ '--help' ]).status, 0);
});

for (const model of [ 'tiny', 'real' ]) {
    test(`${model}: a plain answer with usage, finish_reason and the confidence header; valid UTF-8`, async () => {
        const r = await rawChat(gw, {model, messages : user('Hello there'), max_tokens : 24, temperature : 0});
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assert.equal(r.headers.get('x-sovereign-backend'), model);
        const ch = r.json.choices[0];
        assert.equal(ch.message.role, 'assistant');
        assert.equal(typeof ch.message.content, 'string');
        assert.ok([ 'stop', 'length' ].includes(ch.finish_reason));
        const u = r.json.usage;
        assert.ok(u.prompt_tokens > 3, JSON.stringify(u));
        assert.ok(u.completion_tokens >= 1 && u.completion_tokens <= 24);
        if (ch.finish_reason === 'length')
            assert.equal(u.completion_tokens, 24);
        assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
        const m = (r.headers.get('x-sovereign-confidence') || '')
                      .match(/^mean_logprob=(-?[\d.]+); min_logprob=(-?[\d.]+); mean_entropy=([\d.]+)$/);
        assert.ok(m, r.headers.get('x-sovereign-confidence'));
        const [mean, min, ent] = m.slice(1).map(Number);
        assert.ok(mean <= 0 && min <= mean + 1e-4 && ent >= 0, m[0]);
    });

    test(`${model}: greedy is deterministic, and the stream carries the same text as the plain answer`, async () => {
        const body = {model, messages : user('Tell me a story'), max_tokens : 40, temperature : 0};
        const a = await chat(gw, body);
        const b = await chat(gw, body);
        assert.equal(a.status, 200, a.text);
        assert.equal(a.json.choices[0].message.content, b.json.choices[0].message.content);
        const s = await streamPost(`${gw.url}/v1/chat/completions`,
                                   {...body, stream : true, stream_options : {include_usage : true}});
        assert.equal(s.status, 200);
        assert.ok(s.complete);
        assert.match(s.text, /data: \[DONE\]\n\n$/);
        const chunks = chunksOf(s.text);
        assert.equal(chunks[0].choices[0].delta.role, 'assistant');
        assert.equal(contentOf(chunks), a.json.choices[0].message.content);
        const fin = chunks.filter((c) => c.choices?.[0]?.finish_reason);
        assert.equal(fin.length, 1);
        assert.equal(fin[0].choices[0].finish_reason, a.json.choices[0].finish_reason);
        const last = chunks[chunks.length - 1];
        assert.deepEqual(last.choices, []);
        assert.deepEqual(last.usage, a.json.usage);
    });
}

test('Anthropic-format clients: /v1/messages to the node, plain and streamed, the same greedy text', async () => {
    const body = {model : 'real', max_tokens : 20, temperature : 0, messages : user('Hello')};
    const r = await messages(gw, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.type, 'message');
    assert.equal(r.json.stop_reason, 'max_tokens');
    assert.equal(r.json.usage.output_tokens, 20);
    const text = r.json.content[0].text;
    const s = await streamPost(`${gw.url}/v1/messages`, {...body, stream : true}, {headers : {'anthropic-version' : '2023-06-01'}});
    const ev = parseSse(s.text).filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data).delta.text);
    assert.equal(ev.join(''), text);
    const plain = await chat(gw, {...body});
    assert.equal(plain.json.choices[0].message.content, text);
});

test('continuous batching: requests decoded together give the same greedy answers as one at a time', async () => {
    const prompts = [ 'First question about rivers', 'Something else entirely, longer ' + 'words '.repeat(40), 'A third one' ];
    const body = (p, n) => ({model : 'real', messages : user(p), max_tokens : n, temperature : 0});
    const alone = [];
    for (const [i, p] of prompts.entries())
        alone.push((await chat(gw, body(p, 30 + 10 * i))).json.choices[0].message.content);
    // three at once on two slots: two decode together, the third joins when one finishes
    const together = await Promise.all(prompts.map((p, i) => chat(gw, body(p, 30 + 10 * i))));
    for (const [i, r] of together.entries()) {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.choices[0].message.content, alone[i], `prompt ${i}`);
    }
});

test('seeded sampling repeats; another seed (almost surely) differs', async () => {
    const body = (seed) => ({model : 'real', messages : user('Hi'), max_tokens : 30, temperature : 1, top_k : 0, seed});
    const a = await chat(gw, body(11)), b = await chat(gw, body(11)), c = await chat(gw, body(12));
    assert.equal(a.json.choices[0].message.content, b.json.choices[0].message.content);
    assert.notEqual(a.json.choices[0].message.content, c.json.choices[0].message.content);
});

test('stop sequences end the answer before the stop text, in plain and streaming answers', async () => {
    const body = {model : 'real', messages : user('Count'), max_tokens : 60, temperature : 0};
    const full = (await chat(gw, body)).json.choices[0].message.content;
    assert.ok(full.length > 20, full);
    const stop = full.slice(10, 13);
    const cut = full.slice(0, full.indexOf(stop));
    const r = await chat(gw, {...body, stop : [ stop, 'qqq-never-qqq' ]});
    assert.equal(r.json.choices[0].message.content, cut);
    assert.equal(r.json.choices[0].finish_reason, 'stop');
    const s = await streamPost(`${gw.url}/v1/chat/completions`, {...body, stop, stream : true});
    assert.equal(contentOf(chunksOf(s.text)), cut);
});

test('logprobs and top_logprobs: one entry per token, sorted alternatives, probabilities that add up', async () => {
    const r = await chat(gw, {model : 'real', messages : user('Hi'), max_tokens : 12, temperature : 0, logprobs : true, top_logprobs : 3});
    assert.equal(r.status, 200, r.text);
    const lp = r.json.choices[0].logprobs.content;
    assert.equal(lp.length, r.json.usage.completion_tokens);
    for (const e of lp) {
        assert.equal(typeof e.token, 'string');
        assert.ok(Array.isArray(e.bytes));
        assert.ok(e.logprob <= 0);
        assert.equal(e.top_logprobs.length, 3);
        for (let i = 1; i < 3; i++)
            assert.ok(e.top_logprobs[i - 1].logprob >= e.top_logprobs[i].logprob);
        // greedy: the chosen token is the most likely one
        assert.ok(Math.abs(e.top_logprobs[0].logprob - e.logprob) < 1e-9, JSON.stringify(e));
        assert.ok(e.top_logprobs.reduce((a, x) => a + Math.exp(x.logprob), 0) <= 1 + 1e-9);
    }
    // the header's summary is the mean of the same log-probabilities
    const mean = lp.reduce((a, e) => a + e.logprob, 0) / lp.length;
    const h = Number(r.headers.get('x-sovereign-confidence').match(/mean_logprob=(-?[\d.]+)/)[1]);
    assert.ok(Math.abs(h - mean) < 1e-3, `${h} vs ${mean}`);
    const plain = await chat(gw, {model : 'real', messages : user('Hi'), max_tokens : 4});
    assert.equal(plain.json.choices[0].logprobs, null);
});

test('JSON mode: the answer follows the JSON grammar (an object), parseable when it ends by itself', async () => {
    let ended = 0;
    for (const seed of [ 1, 2, 3, 4, 5, 6 ]) {
        const r = await chat(gw, {
            model : 'tiny',
            messages : user('Give me JSON'),
            max_tokens : 200,
            seed,
            response_format : {type : 'json_object'},
        });
        assert.equal(r.status, 200, r.text);
        const c = r.json.choices[0].message.content;
        assert.match(c, /^\{/, c);
        if (r.json.choices[0].finish_reason === 'stop') {
            assert.equal(typeof JSON.parse(c), 'object', c);
            ended++;
        }
    }
    // without the grammar, the same model does not start with '{' for every seed
    let braces = 0;
    for (const seed of [ 1, 2, 3, 4, 5, 6 ])
        braces += /^\{/.test((await chat(gw, {model : 'tiny', messages : user('Give me JSON'), max_tokens : 5, seed})).json.choices[0].message.content);
    assert.ok(braces < 6);
    const bad = await chat(gw, {model : 'tiny', messages : user('x'), response_format : {type : 'yaml'}});
    openaiError(assert, bad, 400);
});

test('requests the node cannot express are refused with 400: n > 1, tools, a prompt beyond the context', async () => {
    openaiError(assert, await chat(gw, {model : 'tiny', messages : user('x'), n : 2}), 400);
    openaiError(assert, await chat(gw, {model : 'tiny', messages : user('x'), tools : [ {type : 'function', function : {name : 'f'}} ]}), 400);
    const e = openaiError(assert, await chat(gw, {model : 'tiny', messages : user('word '.repeat(3000))}), 400);
    assert.match(e.message, /context/);
});

test('embeddings: normalised vectors from an embedding model; chat models refuse them and vice versa', async () => {
    const r = await post(`${gw.url}/v1/embeddings`, {model : 'emb', input : [ 'hello world', 'another text' ]});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'list');
    assert.equal(r.json.data.length, 2);
    for (const [i, d] of r.json.data.entries()) {
        assert.equal(d.index, i);
        assert.equal(d.embedding.length, 64);
        const norm = Math.sqrt(d.embedding.reduce((a, x) => a + x * x, 0));
        assert.ok(Math.abs(norm - 1) < 1e-4, String(norm));
    }
    assert.notDeepEqual(r.json.data[0].embedding, r.json.data[1].embedding);
    assert.ok(r.json.usage.prompt_tokens > 10);
    const again = await post(`${gw.url}/v1/embeddings`, {model : 'emb', input : 'hello world'});
    assert.deepEqual(again.json.data[0].embedding, r.json.data[0].embedding);
    openaiError(assert, await post(`${gw.url}/v1/embeddings`, {model : 'tiny', input : 'x'}), 400);
    openaiError(assert, await post(`${gw.url}/v1/embeddings`, {model : 'emb', input : 5}), 400);
    openaiError(assert, await post(`${gw.url}/v1/embeddings`, {model : 'nope', input : 'x'}), 404);
    openaiError(assert, await chat(gw, {model : 'emb', messages : user('x')}), 400);
});

test('metrics: the mean log-probability histogram counts answers of the node', async () => {
    const m = await metrics(gw);
    assert.ok(m.get('sovereign_answer_mean_logprob_count', {backend : 'real'}) >= 3);
    assert.ok(m.get('sovereign_answer_mean_logprob_sum', {backend : 'real'}) < 0);
});

// A long stream on the single slot: resolves when its first chunk arrived.
function longStream(g, onFirst, maxTokens = 1500)
{
    let first = false;
    return streamPost(`${g.url}/v1/chat/completions`, {model : 'one', messages : user('Go on'), max_tokens : maxTokens, stream : true, temperature : 0}, {
        onPiece : (p, req) => {
            if (!first && p.data.includes('data: {')) {
                first = true;
                onFirst(req);
            }
        },
    });
}

test('beyond the slot and the queue: 429 with Retry-After, then the queue drains in order', async () => {
    let started;
    const firstChunk = new Promise((r) => (started = r));
    const a = longStream(busy, () => started());
    await firstChunk;
    // one slot busy: the next waits in the queue (max_queue 1), the one after is refused at once
    const b = chat(busy, {model : 'one', messages : user('queued'), max_tokens : 5});
    await sleep(20);
    const t0 = Date.now();
    const c = await chat(busy, {model : 'one', messages : user('refused'), max_tokens : 5});
    assert.ok(Date.now() - t0 < 1000, 'refused without waiting');
    openaiError(assert, c, 429, 'backend_overloaded');
    assert.equal(c.headers.get('retry-after'), '1');
    const [ra, rb] = await Promise.all([ a, b ]);
    assert.equal(ra.status, 200);
    assert.ok(ra.complete);
    assert.equal(rb.status, 200, rb.text);
    const m = await metrics(busy);
    assert.ok(m.get('sovereign_upstream_errors_total', {backend : 'one', kind : 'overloaded'}) >= 1);
    // the first refusal of this gateway (slot and queue metrics in detail: llama_metrics.test.mjs)
    assert.equal(m.get('sovereign_backend_queue_rejected_total', {backend : 'one'}), 1);
    assert.equal(m.get('sovereign_backend_slots', {backend : 'one'}), 1);
    assert.equal(m.get('sovereign_backend_queue_limit', {backend : 'one'}), 1);
});

test('a client that disconnects frees its slot at once: the next request does not wait for it', async () => {
    // how long the long answer takes when nobody leaves
    const t0 = Date.now();
    const full = await longStream(busy, () => {});
    const fullMs = Date.now() - t0;
    assert.ok(full.complete);
    let started;
    const firstChunk = new Promise((r) => (started = r));
    const a = longStream(busy, (req) => {
        started();
        req.destroy();
    });
    await firstChunk;
    const t1 = Date.now();
    const b = await chat(busy, {model : 'one', messages : user('next'), max_tokens : 5});
    const waited = Date.now() - t1;
    assert.equal(b.status, 200, b.text);
    await a;
    assert.ok(waited < fullMs / 2, `the next request waited ${waited} ms; the long one takes ${fullMs} ms`);
    const log = await busy.waitAccessLog(1);
    assert.ok(log.some((l) => l.status === 499), 'the disconnect is in the access log');
});

// A valid GGUF header declaring one 1 TiB tensor, in a sparse file of that size (no disk used):
// larger than any memory this runs on.
function hugeGguf(path)
{
    const parts = [];
    const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
    const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
    const str = (x) => { u64(Buffer.byteLength(x)); parts.push(Buffer.from(x)); };
    parts.push(Buffer.from('GGUF'));
    u32(3), u64(1), u64(1);
    str('general.architecture'), u32(8), str('llama');
    str('token_embd.weight'), u32(2), u64(2 ** 20), u64(2 ** 18), u32(0), u64(0);
    let head = Buffer.concat(parts);
    head = Buffer.concat([ head, Buffer.alloc((32 - head.length % 32) % 32) ]);
    writeFileSync(path, head);
    truncateSync(path, head.length + 2 ** 40);
}

test('bad models: missing, not GGUF, corrupt, truncated, too big: a clear error at --check-config and at start, never a crash', async () => {
    const notGguf = tmpFile('text.gguf', 'just some text, not a model\n');
    const corrupt = tmpFile('corrupt.gguf', '');
    writeFileSync(corrupt, Buffer.concat([ Buffer.from('GGUF'), Buffer.from([ 3, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 1 ]) ]));
    const truncated = tmpFile('truncated.gguf', '');
    const bytes = readFileSync(tiny);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const huge = tmpFile('huge.gguf', '');
    hugeGguf(huge);
    const cases = [
        [ '/nonexistent/dir/model.gguf', /No such file/ ],
        [ notGguf, /not a GGUF/ ],
        [ corrupt, /corrupt/ ],
        [ truncated, /truncated/ ],
        [ huge, /too big: 1048576\.0 MiB of weights, [\d.]+ MiB of memory available/ ],
    ];
    for (const [path, re] of cases) {
        const file = tmpFile('bad.yaml', toYaml({server : {listen : '127.0.0.1:0'}, backends : [ node('bad', path, [ 'bad' ]) ]}));
        const chk = spawnSync(BIN, [ 'serve', '--check-config', file ], {encoding : 'utf8'});
        assert.equal(chk.status, 2, `${path}: ${chk.stderr}`);
        assert.equal(chk.stderr.trim().split('\n').length, 1, chk.stderr);
        assert.match(chk.stderr, /backends\[bad\]\.model \(line \d+\)/);
        assert.match(chk.stderr, re);
        const run = spawnSync(BIN, [ 'serve', '--config', file ], {encoding : 'utf8', timeout : 20000});
        assert.ok(run.status !== 0 && run.status !== null && run.signal === null, `${path}: exit ${run.status} ${run.signal}`);
        assert.match(run.stderr, re);
    }
    const noModel = tmpFile('nomodel.yaml', toYaml({backends : [ {name : 'x', kind : 'llama', models : [ 'x' ]} ]}));
    const r = spawnSync(BIN, [ 'serve', '--check-config', noModel ], {encoding : 'utf8'});
    assert.equal(r.status, 2);
    assert.match(r.stderr, /model .*required/);
    const badNum = tmpFile('badnum.yaml', toYaml({backends : [ node('x', tiny, [ 'x' ], {parallel : 0}) ]}));
    const r2 = spawnSync(BIN, [ 'serve', '--check-config', badNum ], {encoding : 'utf8'});
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /parallel/);
    assert.ok(existsSync(tiny));
    unlinkSync(huge);
});
