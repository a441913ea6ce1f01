// The gateway in front of a real llama-server built from the pinned llama.cpp source
// (scripts/deps.sh --from-source; registered only when that binary exists): routing, plain and
// streaming answers, the confidence summary the openai kind computes from upstream logprobs, and the
// same greedy answer as the in-process node on the same model.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import net from 'node:net';
import {join} from 'node:path';
import {SOURCE_DIR, startGateway, track, chat, user, streamPost, chunksOf, contentOf, sleep} from './lib/harness.mjs';

const SERVER = process.env.SOV_LLAMA_SERVER;
const SHARED = process.env.SOV_SHARED_DATA || join(SOURCE_DIR, '../shared/data');
const MODEL = join(SHARED, 'models/llama-2-tiny-random.gguf');
const t = track();
let ls, lsOut = '', lsExit, port, gw;

const freePort = () => new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => res(p));
    });
});

before(async () => {
    assert.ok(SERVER, 'SOV_LLAMA_SERVER is set (scripts/deps.sh --from-source)');
    for (let attempt = 0; attempt < 3 && !ls; attempt++) {
        port = await freePort();
        const p = spawn(SERVER, [ '-m', MODEL, '--host', '127.0.0.1', '--port', String(port), '-t', '1', '-c', '2048', '-np', '2' ],
                        {stdio : [ 'ignore', 'pipe', 'pipe' ]});
        lsExit = new Promise((r) => p.on('exit', (code, sig) => r({code, sig})));
        p.stdout.on('data', (d) => (lsOut += d));
        p.stderr.on('data', (d) => (lsOut += d));
        for (let i = 0; i < 300; i++) {
            if (p.exitCode !== null)
                break;
            try {
                if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) {
                    ls = p;
                    break;
                }
            } catch { /* not up yet */
            }
            await sleep(50);
        }
        if (!ls)
            p.kill('SIGKILL');
    }
    assert.ok(ls, `llama-server did not start: ${lsOut.slice(-2000)}`);
    gw = t.add(await startGateway({
        backends : [
            {name : 'ls', kind : 'openai', base_url : `http://127.0.0.1:${port}/v1`, models : [ 'ls-tiny' ], tier : 'local'},
            {name : 'embedded', kind : 'llama', model : MODEL, models : [ 'emb-tiny' ], tier : 'local', threads : 1, ctx_size : 2048},
        ],
        routing : {default : 'ls'},
    }));
});

after(async () => {
    if (ls) {
        ls.kill('SIGTERM');
        const timer = setTimeout(() => ls.kill('SIGKILL'), 5000);
        await lsExit;
        clearTimeout(timer);
    }
});

test('a plain answer from llama-server through the gateway, with usage and the confidence header', async () => {
    const r = await chat(gw, {model : 'ls-tiny', messages : user('Hello'), max_tokens : 16, temperature : 0, logprobs : true, top_logprobs : 3});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'ls');
    assert.equal(r.json.usage.completion_tokens, 16);
    assert.ok(r.json.usage.prompt_tokens > 3);
    const lp = r.json.choices[0].logprobs.content;
    const mean = lp.reduce((a, e) => a + e.logprob, 0) / lp.length;
    const m = r.headers.get('x-sovereign-confidence').match(/mean_logprob=(-?[\d.]+); min_logprob=(-?[\d.]+)/);
    assert.ok(Math.abs(Number(m[1]) - mean) < 1e-3);
    assert.ok(Math.abs(Number(m[2]) - Math.min(...lp.map((e) => e.logprob))) < 1e-3);
});

test('a stream from llama-server through the gateway', async () => {
    const s = await streamPost(`${gw.url}/v1/chat/completions`,
                               {model : 'ls-tiny', messages : user('Hello'), max_tokens : 16, temperature : 0, stream : true});
    assert.equal(s.status, 200);
    assert.ok(s.complete);
    assert.match(s.text, /data: \[DONE\]/);
    const plain = await chat(gw, {model : 'ls-tiny', messages : user('Hello'), max_tokens : 16, temperature : 0});
    assert.equal(contentOf(chunksOf(s.text)), plain.json.choices[0].message.content);
});

test('the in-process node and llama-server give the same greedy answer and log-probabilities on the same model', async () => {
    const body = (model) => ({model, messages : user('Write one line'), max_tokens : 24, temperature : 0, logprobs : true});
    const [a, b] = await Promise.all([ chat(gw, body('ls-tiny')), chat(gw, body('emb-tiny')) ]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.choices[0].message.content, a.json.choices[0].message.content);
    assert.equal(b.json.usage.prompt_tokens, a.json.usage.prompt_tokens);
    const la = a.json.choices[0].logprobs.content, lb = b.json.choices[0].logprobs.content;
    assert.equal(la.length, lb.length);
    for (let i = 0; i < la.length; i++)
        assert.ok(Math.abs(la[i].logprob - lb[i].logprob) < 1e-3, `token ${i}: ${la[i].logprob} vs ${lb[i].logprob}`);
});
