// Compatibility: the official @anthropic-ai/sdk (pinned in tests/package.json) drives the gateway's
// /v1/messages, whose backends are an Anthropic-kind and an OpenAI-kind mock. Client auth is on:
// the SDK sends its key as x-api-key.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import {startMock, startGateway, track, backend} from './lib/harness.mjs';

const KEY = 'sov-compat-anthropic-key-2b9c';
const t = track();
let client, o, an;

before(async () => {
    [o, an] = await Promise.all([ startMock('o'), startMock('an') ]);
    t.add(o);
    t.add(an);
    const gw = t.add(await startGateway({
        backends : [ backend('an', an, [ 'claude-sonnet-4' ], {kind : 'anthropic'}), backend('o', o, [ 'gpt-4o' ]) ],
        auth : {keys_env : 'IT_COMPAT_KEYS'},
    },
                                        {env : {IT_COMPAT_KEYS : KEY}}));
    client = new Anthropic({baseURL : gw.url, apiKey : KEY, maxRetries : 0, timeout : 10000});
});

for (const [model, name] of [[ 'claude-sonnet-4', 'an' ], [ 'gpt-4o', 'o' ]]) {
    test(`messages.create, non-streaming (${name})`, async () => {
        const {data, response} =
            await client.messages
                .create({model, max_tokens : 50, system : 'Be brief.', messages : [ {role : 'user', content : 'Name a river.'} ]})
                .withResponse();
        assert.equal(response.headers.get('x-sovereign-backend'), name);
        assert.equal(data.type, 'message');
        assert.equal(data.role, 'assistant');
        assert.deepEqual(data.content, [ {type : 'text', text : `${name}: tok0 tok1 tok2 tok3`} ]);
        assert.equal(data.stop_reason, 'end_turn');
        assert.equal(data.usage.input_tokens, 11);
        assert.equal(data.usage.output_tokens, 4);
    });

    test(`messages.stream with events and finalMessage (${name})`, async () => {
        const stream = client.messages.stream({
            model,
            max_tokens : 50,
            messages : [ {role : 'user', content : 'Count. #mock chunks=5 chunk_delay_ms=10'} ],
        });
        const deltas = [];
        stream.on('text', (d) => deltas.push(d));
        const final = await stream.finalMessage();
        assert.ok(deltas.length >= 5, `${deltas.length} text deltas`);
        assert.equal(deltas.join(''), `${name}: tok0 tok1 tok2 tok3 tok4`);
        assert.equal(final.content[0].text, `${name}: tok0 tok1 tok2 tok3 tok4`);
        assert.equal(final.stop_reason, 'end_turn');
        assert.equal(final.usage.output_tokens, 5);
    });

    test(`messages.create stream: true, raw events in order (${name})`, async () => {
        const events = await client.messages.create({
            model,
            max_tokens : 50,
            stream : true,
            messages : [ {role : 'user', content : 'x #mock chunks=2'} ],
        });
        const types = [];
        for await (const e of events)
            types.push(e.type);
        assert.equal(types[0], 'message_start');
        assert.equal(types[types.length - 1], 'message_stop');
        assert.ok(types.indexOf('content_block_start') < types.indexOf('content_block_delta'));
        assert.ok(types.lastIndexOf('content_block_stop') < types.indexOf('message_delta'));
    });

    test(`tool use through the SDK (${name})`, async () => {
        const tools =
            [ {name : 'lookup', description : 'look up', input_schema : {type : 'object', properties : {q : {type : 'string'}}}} ];
        const msg = await client.messages.create({
            model,
            max_tokens : 50,
            tools,
            messages : [ {role : 'user', content : 'Use it. #mock tool=1 chunks=0'} ],
        });
        const use = msg.content.find((c) => c.type === 'tool_use');
        assert.ok(use, JSON.stringify(msg));
        assert.equal(use.name, 'lookup');
        assert.deepEqual(use.input, {q : 'mock'});
        assert.equal(msg.stop_reason, 'tool_use');
        const final = await client.messages
                          .stream({
                              model,
                              max_tokens : 50,
                              tools,
                              messages : [ {role : 'user', content : 'Use it. #mock tool=1 chunks=0'} ],
                          })
                          .finalMessage();
        assert.deepEqual(final.content.find((c) => c.type === 'tool_use').input, {q : 'mock'});
    });
}

test('a multi-turn conversation with a tool result goes through to both kinds', async () => {
    for (const model of ['claude-sonnet-4', 'gpt-4o']) {
        const msg = await client.messages.create({
            model,
            max_tokens : 50,
            messages : [
                {role : 'user', content : 'Look it up.'},
                {role : 'assistant', content : [ {type : 'tool_use', id : 'toolu_1', name : 'lookup', input : {q : 'x'}} ]},
                {role : 'user', content : [ {type : 'tool_result', tool_use_id : 'toolu_1', content : 'result text'} ]},
            ],
            tools : [ {name : 'lookup', input_schema : {type : 'object'}} ],
        });
        assert.equal(msg.type, 'message');
    }
    const sent = (await o.last()).json;
    const tool = sent.messages.find((m) => m.role === 'tool');
    assert.equal(tool.tool_call_id, 'toolu_1');
    assert.match(JSON.stringify(tool.content), /result text/);
    assert.equal(sent.messages.find((m) => m.role === 'assistant').tool_calls[0].function.name, 'lookup');
});

test('errors arrive as the SDK error classes', async () => {
    await assert.rejects(client.messages.create({model : 'nope', max_tokens : 5, messages : [ {role : 'user', content : 'x'} ]}),
                         (e) => {
                             assert.ok(e instanceof Anthropic.NotFoundError, e.constructor.name);
                             assert.equal(e.status, 404);
                             assert.equal(e.error?.type, 'error');
                             assert.equal(e.error?.error?.type, 'not_found_error');
                             return true;
                         });
    const bad = new Anthropic({baseURL : client.baseURL, apiKey : 'wrong', maxRetries : 0});
    await assert.rejects(bad.messages.create({model : 'gpt-4o', max_tokens : 5, messages : [ {role : 'user', content : 'x'} ]}),
                         Anthropic.AuthenticationError);
    await assert.rejects(
        client.messages.create({model : 'gpt-4o', max_tokens : 5, messages : [ {role : 'user', content : 'x #mock status=429'} ]}),
        Anthropic.RateLimitError);
});

test('a mid-stream failure surfaces as an error in the SDK, not a hang', async () => {
    const stream = client.messages.stream(
        {model : 'claude-sonnet-4', max_tokens : 50, messages : [ {role : 'user', content : 'x #mock chunks=5 break_after=2'} ]});
    await assert.rejects(stream.finalMessage(),
                         (e) => e instanceof Anthropic.APIError && typeof e.message === "string" && e.message.length > 0);
});
