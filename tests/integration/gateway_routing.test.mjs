// Routing by model, `auto`, response headers, /v1/models, /healthz, /metrics, the access log and
// the upstream API keys (sent upstream, never logged).
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {
    startMock,
    startGateway,
    track,
    backend,
    chat,
    messages,
    user,
    metrics,
    post,
} from './lib/harness.mjs';

const OPENAI_KEY = 'sk-test-openai-5f0c1d2e3b4a';
const ANTHROPIC_KEY = 'sk-ant-test-9a8b7c6d5e4f';
const t = track();
let a, b, c, gw;

before(async () => {
    [a, b, c] = await Promise.all([ startMock('a'), startMock('b'), startMock('c') ]);
    t.add(a);
    t.add(b);
    t.add(c);
    gw = t.add(await startGateway({
        backends : [
            backend('a', a, [ 'model-a', 'model-a2' ], {tier : 'local', price : {input : 0, output : 0}}),
            backend('b', b, [ 'model-b' ], {api_key_env : 'IT_OPENAI_KEY', price : {input : 2.5, output : 10}}),
            backend('c', c, [ 'claude-x' ],
                    {kind : 'anthropic', api_key_env : 'IT_ANTHROPIC_KEY', price : {input : 3, output : 15}}),
        ],
        routing : {default : 'a', fallback : []},
    },
                                  {env : {IT_OPENAI_KEY : OPENAI_KEY, IT_ANTHROPIC_KEY : ANTHROPIC_KEY}}));
});

test('a named model goes to the backend serving it, with its headers', async () => {
    const r = await chat(gw, {model : 'model-b', messages : user('hello')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'b');
    assert.equal(r.headers.get('x-sovereign-tier'), 'cloud');
    assert.equal(r.json.choices[0].message.content, 'b: tok0 tok1 tok2 tok3');
    assert.equal(r.json.object, 'chat.completion');
    const last = await b.last();
    assert.equal(last.path, '/v1/chat/completions');
    assert.equal(last.json.model, 'model-b');
    assert.deepEqual(last.json.messages, user('hello'));

    const r2 = await chat(gw, {model : 'model-a2', messages : user('hi')});
    assert.equal(r2.headers.get('x-sovereign-backend'), 'a');
    assert.equal(r2.headers.get('x-sovereign-tier'), 'local');
    assert.equal((await a.last()).json.model, 'model-a2');
});

test('"auto" goes where the router decides, and says why', async () => {
    const r = await chat(gw, {model : 'auto', messages : user('Draft a reply to jane.doe@example.com about her order.')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'a', 'sensitive data stays on the local tier');
    assert.equal(r.headers.get('x-sovereign-tier'), 'local');
    assert.equal(r.headers.get('x-sovereign-route'), 'local');
    assert.match(r.headers.get('x-sovereign-reason'), /sensitive/);
    assert.equal(r.json.choices[0].message.content, 'a: tok0 tok1 tok2 tok3');
    // the upstream gets a model it serves, not "auto"
    assert.equal((await a.last()).json.model, 'model-a');

    const r2 = await chat(gw, {model : 'auto', messages : user('Write a haiku about rivers.')});
    assert.equal(r2.status, 200, r2.text);
    const route = r2.headers.get('x-sovereign-route');
    assert.ok([ 'local', 'cloud' ].includes(route), route);
    assert.equal(r2.headers.get('x-sovereign-backend'), route === 'local' ? 'a' : 'b');
    assert.ok(r2.headers.get('x-sovereign-reason'));
});

test('request fields reach the upstream unchanged', async () => {
    const body = {
        model : 'model-b',
        messages : [ {role : 'system', content : 'be brief'}, ...user('x') ],
        temperature : 0.3,
        max_tokens : 17,
        tools : [ {type : 'function', function : {name : 'f', parameters : {type : 'object'}}} ],
        user : 'u-1',
    };
    const r = await chat(gw, body);
    assert.equal(r.status, 200, r.text);
    const got = (await b.last()).json;
    for (const k of Object.keys(body))
        assert.deepEqual(got[k], body[k], k);
});

test('the upstream API key is sent upstream and never logged', async () => {
    await chat(gw, {model : 'model-b', messages : user('key check')});
    const lb = await b.last();
    assert.equal(lb.headers.authorization, `Bearer ${OPENAI_KEY}`);
    const r = await chat(gw, {model : 'claude-x', messages : user('key check'), max_tokens : 20});
    assert.equal(r.status, 200, r.text);
    const lc = await c.last();
    assert.equal(lc.path, '/v1/messages');
    assert.equal(lc.headers['x-api-key'], ANTHROPIC_KEY);
    assert.ok(lc.headers['anthropic-version'], 'anthropic-version header');
    assert.equal((await a.last()).headers.authorization, undefined, 'no key for a backend without api_key_env');
    await gw.waitAccessLog(1);
    assert.ok(!gw.log().includes(OPENAI_KEY));
    assert.ok(!gw.log().includes(ANTHROPIC_KEY));
});

test('an OpenAI request to an anthropic-kind backend is translated both ways', async () => {
    const r = await chat(gw, {
        model : 'claude-x',
        max_tokens : 50,
        messages : [ {role : 'system', content : 'You are terse.'}, ...user('Name a river.') ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'c');
    assert.equal(r.json.object, 'chat.completion');
    assert.equal(r.json.choices[0].message.role, 'assistant');
    assert.equal(r.json.choices[0].message.content, 'c: tok0 tok1 tok2 tok3');
    assert.equal(r.json.choices[0].finish_reason, 'stop');
    assert.equal(r.json.usage.prompt_tokens, 11);
    assert.equal(r.json.usage.completion_tokens, 4);
    const sent = (await c.last()).json;
    assert.equal(sent.model, 'claude-x');
    assert.equal(sent.max_tokens, 50);
    assert.equal(JSON.stringify(sent.system).includes('You are terse.'), true);
    assert.deepEqual(sent.messages.map((m) => m.role), [ 'user' ]);
});

test('tool calls come back translated from an anthropic-kind backend', async () => {
    const r = await chat(gw, {
        model : 'claude-x',
        max_tokens : 50,
        tools : [ {
            type : 'function',
            function : {name : 'lookup', description : 'd', parameters : {type : 'object', properties : {q : {type : 'string'}}}}
        } ],
        messages : user('use the tool #mock tool=1 chunks=0'),
    });
    assert.equal(r.status, 200, r.text);
    const sent = (await c.last()).json;
    assert.equal(sent.tools[0].name, 'lookup');
    assert.deepEqual(sent.tools[0].input_schema.properties, {q : {type : 'string'}});
    const msg = r.json.choices[0].message;
    assert.equal(r.json.choices[0].finish_reason, 'tool_calls');
    assert.equal(msg.tool_calls[0].function.name, 'lookup');
    assert.deepEqual(JSON.parse(msg.tool_calls[0].function.arguments), {q : 'mock'});
});

test('GET /v1/models lists the configured models and auto', async () => {
    const r = await fetch(`${gw.url}/v1/models`);
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.object, 'list');
    const ids = j.data.map((m) => m.id).sort();
    assert.deepEqual(ids, [ 'auto', 'claude-x', 'model-a', 'model-a2', 'model-b' ]);
    for (const m of j.data)
        assert.equal(m.object, 'model');
});

test('GET /healthz answers ok', async () => {
    const r = await fetch(`${gw.url}/healthz`);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).status, 'ok');
});

test('/metrics counts requests, tokens and cost by backend and tier', async () => {
    const before = await metrics(gw);
    const n0 = before.get('sovereign_requests_total', {backend : 'b', tier : 'cloud'});
    const tok0 = before.get('sovereign_tokens_total', {backend : 'b'});
    const cost0 = before.get('sovereign_cost_usd_total', {backend : 'b'});
    for (let i = 0; i < 3; i++)
        assert.equal((await chat(gw, {model : 'model-b', messages : user('m')})).status, 200);
    const m = await metrics(gw);
    assert.match(m.text, /# TYPE sovereign_requests_total counter/);
    assert.equal(m.get('sovereign_requests_total', {backend : 'b', tier : 'cloud'}) - n0, 3);
    assert.equal(m.get('sovereign_tokens_total', {backend : 'b'}) - tok0, 3 * (11 + 4));
    // 3 x (11 x 2.5 + 4 x 10) / 1e6
    assert.ok(Math.abs(m.get('sovereign_cost_usd_total', {backend : 'b'}) - cost0 - 3 * (11 * 2.5 + 4 * 10) / 1e6) < 1e-9);
    for (const h of ['sovereign_request_duration_seconds', 'sovereign_ttfb_seconds']) {
        assert.match(m.text, new RegExp(`# TYPE ${h} histogram`));
        assert.equal(m.get(`${h}_count`, {backend : 'b'}) - before.get(`${h}_count`, {backend : 'b'}), 3, h);
        assert.ok(m.rows.some((r) => r.name === `${h}_bucket` && r.labels.backend === 'b'), `${h} buckets`);
    }
    assert.ok(m.text.includes('le="+Inf"'));
});

test('one JSON access-log line per request, with its fields and no prompt', async () => {
    const n = gw.accessLog().length;
    const secret = 'my-very-private-prompt-text-1234';
    await chat(gw, {model : 'model-b', messages : user(secret)});
    const log = await gw.waitAccessLog(n + 1);
    const line = log[log.length - 1];
    for (const k of ['time', 'method', 'path', 'status', 'backend', 'tier', 'prompt_tokens', 'completion_tokens', 'latency_ms',
                     'ttfb_ms'])
        assert.ok(k in line, `access log has ${k}: ${JSON.stringify(line)}`);
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/v1/chat/completions');
    assert.equal(line.status, 200);
    assert.equal(line.backend, 'b');
    assert.equal(line.tier, 'cloud');
    assert.equal(line.prompt_tokens, 11);
    assert.equal(line.completion_tokens, 4);
    assert.ok(line.latency_ms >= line.ttfb_ms);
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.ok(!gw.log().includes(secret), 'the prompt is not in the logs');
    assert.ok(!gw.log().includes('tok0'), 'the answer is not in the logs');
});

test('an Anthropic client reaches an openai-kind backend through /v1/messages', async () => {
    const r = await messages(gw, {model : 'model-b', max_tokens : 30, system : 'Be brief.', messages : user('hi')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.type, 'message');
    assert.equal(r.json.role, 'assistant');
    assert.deepEqual(r.json.content, [ {type : 'text', text : 'b: tok0 tok1 tok2 tok3'} ]);
    assert.equal(r.json.stop_reason, 'end_turn');
    assert.equal(r.json.usage.input_tokens, 11);
    assert.equal(r.json.usage.output_tokens, 4);
    const sent = (await b.last()).json;
    assert.equal(sent.messages[0].role, 'system');
    assert.equal(sent.messages[0].content, 'Be brief.');
    assert.equal(sent.max_tokens, 30);
});

test('an Anthropic client reaches an anthropic-kind backend through /v1/messages', async () => {
    const r = await messages(gw, {model : 'claude-x', max_tokens : 30, messages : user('hi')});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'c');
    assert.equal(r.json.type, 'message');
    assert.deepEqual(r.json.content, [ {type : 'text', text : 'c: tok0 tok1 tok2 tok3'} ]);
    assert.equal(r.json.usage.output_tokens, 4);
});

test('HEAD or other methods on a known path get 405 with an error body', async () => {
    const r = await post(`${gw.url}/v1/models`, {}, {method : 'POST'});
    assert.equal(r.status, 405, r.text);
    assert.ok(r.json.error);
});

test('"auto" with no local backend goes to routing.default, not the first backend', async () => {
    const g = t.add(await startGateway({
        backends : [ backend('a', a, [ 'x-a' ]), backend('b', b, [ 'x-b' ]) ],
        routing : {default : 'b'},
    }));
    for (const text of [ 'Write a haiku about rivers.', 'Classify this ticket: refund please.' ]) {
        const r = await chat(g, {model : 'auto', messages : user(text)});
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('x-sovereign-backend'), 'b');
        assert.equal(r.json.choices[0].message.content, 'b: tok0 tok1 tok2 tok3');
    }
    assert.equal((await b.last()).json.model, 'x-b');
});

test('/metrics is valid Prometheus text: typed families, monotonic buckets, +Inf equal to _count', async () => {
    await chat(gw, {model : 'model-b', messages : user('m')});
    const r = await fetch(`${gw.url}/metrics`);
    assert.match(r.headers.get('content-type'), /^text\/plain/);
    const text = await r.text();
    assert.ok(text.endsWith('\n'));
    const types = new Map();
    const hist = new Map(); // series key -> {buckets: [[le, v]], count}
    for (const line of text.split('\n').slice(0, -1)) {
        if (line.startsWith('# HELP '))
            continue;
        const t = line.match(/^# TYPE ([a-zA-Z_:][\w:]*) (counter|gauge|histogram|summary|untyped)$/);
        if (t) {
            assert.ok(!types.has(t[1]), `one TYPE line for ${t[1]}`);
            types.set(t[1], t[2]);
            continue;
        }
        const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[\d.e+-]+|NaN|\+Inf)$/);
        assert.ok(m, `a valid sample line: ${JSON.stringify(line)}`);
        const family = m[1].replace(/_(bucket|sum|count)$/, '');
        assert.ok(types.has(m[1]) || types.get(family) === 'histogram', `TYPE before ${m[1]}`);
        if (types.get(family) === 'histogram' && m[1] !== family) {
            const labels = (m[2] || '').replace(/,?le="[^"]*"/, '');
            const h = hist.get(family + labels) || {buckets : [], count : null};
            hist.set(family + labels, h);
            const v = Number(m[3]);
            if (m[1].endsWith('_bucket'))
                h.buckets.push([ m[2].match(/le="([^"]*)"/)[1], v ]);
            if (m[1].endsWith('_count'))
                h.count = v;
        }
    }
    assert.ok(hist.size > 0);
    for (const [k, h] of hist) {
        for (let i = 1; i < h.buckets.length; i++)
            assert.ok(h.buckets[i][1] >= h.buckets[i - 1][1], `${k} buckets are cumulative`);
        const inf = h.buckets.find((b) => b[0] === '+Inf');
        assert.ok(inf, `${k} has a +Inf bucket`);
        assert.equal(inf[1], h.count, `${k}: +Inf bucket equals _count`);
    }
});
