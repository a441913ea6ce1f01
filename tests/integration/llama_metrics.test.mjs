// The slot and queue metrics of the in-process llama.cpp node (backend kind `llama`) on GET /metrics:
// slots, busy slots, queue length and limit, requests refused with 429, queue wait. A gateway of its
// own (so the counts are exact), one node with 2 slots and a queue of 2 on
// $SOV_SHARED_DATA/models/llama-2-tiny-random.gguf. Long streams hold the slots until their clients
// leave (a disconnect frees a slot at once); every state is polled for, with a deadline, never timed.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {join} from 'node:path';
import {SOURCE_DIR, startGateway, track, chat, user, streamPost, openaiError, metrics, waitFor} from './lib/harness.mjs';

const SHARED = process.env.SOV_SHARED_DATA || join(SOURCE_DIR, '../shared/data');
const REAL = join(SHARED, 'models/llama-2-tiny-random.gguf');
const SLOTS = 2, QUEUE = 2;
const t = track();
let gw;

before(async () => {
    gw = t.add(await startGateway({
        backends : [ {
            name : 'one',
            kind : 'llama',
            model : REAL,
            models : [ 'one' ],
            tier : 'local',
            ctx_size : 8192,
            threads : 1,
            parallel : SLOTS,
            max_queue : QUEUE,
        } ],
    }));
});

const q = async () => {
    const m = await metrics(gw);
    const g = (name) => m.get(name, {backend : 'one'});
    return {
        m,
        slots : g('sovereign_backend_slots'),
        busy : g('sovereign_backend_slots_busy'),
        queued : g('sovereign_backend_queue_length'),
        limit : g('sovereign_backend_queue_limit'),
        rejected : g('sovereign_backend_queue_rejected_total'),
        waits : g('sovereign_backend_queue_wait_seconds_count'),
    };
};

// Polls until pred(metrics) holds; fails with the last values after the deadline (generous: a loaded
// 2-core machine, maybe a sanitizer build).
async function until(pred, what, ms = 20000)
{
    let last;
    const ok = await waitFor(async () => pred(last = await q()), ms, 25);
    assert.ok(ok, `${what}: ${JSON.stringify({...last, m : undefined})}`);
    return last;
}

// A stream that would run for thousands of tokens: it holds its slot until the client leaves.
function holdSlot()
{
    let req, first;
    const started = new Promise((r) => (first = r));
    const done = streamPost(`${gw.url}/v1/chat/completions`,
                            {model : 'one', messages : user('Go on'), max_tokens : 8000, stream : true, temperature : 0}, {
                                onPiece : (p, r) => {
                                    req = r;
                                    if (p.data.includes('data: {'))
                                        first();
                                },
                            });
    return {started, done, leave : () => req.destroy()};
}

test('metrics: slots and queue limit as configured, all idle at start, with HELP and TYPE lines', async () => {
    const s = await q();
    assert.equal(s.slots, SLOTS);
    assert.equal(s.limit, QUEUE);
    assert.equal(s.busy, 0);
    assert.equal(s.queued, 0);
    assert.equal(s.rejected, 0);
    for (const [name, type] of [
             [ 'sovereign_backend_slots', 'gauge' ], [ 'sovereign_backend_slots_busy', 'gauge' ],
             [ 'sovereign_backend_queue_length', 'gauge' ], [ 'sovereign_backend_queue_limit', 'gauge' ],
             [ 'sovereign_backend_queue_rejected_total', 'counter' ], [ 'sovereign_backend_queue_wait_seconds', 'histogram' ]
         ]) {
        assert.match(s.m.text, new RegExp(`^# HELP ${name} \\S`, 'm'));
        assert.match(s.m.text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
    }
    assert.equal(s.m.get('sovereign_backend_queue_wait_seconds_bucket', {backend : 'one', le : '+Inf'}), s.waits);
});

test('metrics: busy slots and queue length rise with requests in flight, 429s are counted, all back to 0 after', async () => {
    // both slots busy
    const holders = [ holdSlot(), holdSlot() ];
    await Promise.all(holders.map((h) => h.started));
    await until((s) => s.busy === SLOTS && s.queued === 0, 'both slots busy, nothing queued');
    // the queue fills
    const queued = [];
    for (let i = 1; i <= QUEUE; i++) {
        queued.push(chat(gw, {model : 'one', messages : user(`queued ${i}`), max_tokens : 5}));
        await until((s) => s.queued === i, `${i} queued`);
    }
    // beyond it: refused at once, each one counted
    let refused = 0;
    for (let i = 0; i < 3; i++) {
        const r = await chat(gw, {model : 'one', messages : user('refused'), max_tokens : 5});
        openaiError(assert, r, 429, 'backend_overloaded');
        refused++;
    }
    let s = await q();
    assert.equal(s.rejected, refused);
    assert.equal(s.m.get('sovereign_upstream_errors_total', {backend : 'one', kind : 'overloaded'}), refused);
    assert.equal(s.busy, SLOTS, 'the long streams still hold their slots');
    assert.equal(s.queued, QUEUE);
    // the holders leave: the queued requests get the slots and finish
    for (const h of holders)
        h.leave();
    await Promise.all(holders.map((h) => h.done));
    for (const r of await Promise.all(queued))
        assert.equal(r.status, 200, r.text);
    s = await until((x) => x.busy === 0 && x.queued === 0, 'all idle again');
    assert.equal(s.rejected, refused, 'refusals only counted once');
    assert.equal(s.slots, SLOTS);
    // every request that got a slot waited in the queue first (the refused ones never did)
    assert.equal(s.waits, SLOTS + QUEUE);
    assert.ok(s.m.get('sovereign_backend_queue_wait_seconds_sum', {backend : 'one'}) > 0, 'the queued ones waited');
    assert.equal(s.m.get('sovereign_backend_queue_wait_seconds_bucket', {backend : 'one', le : '+Inf'}), s.waits);
});
