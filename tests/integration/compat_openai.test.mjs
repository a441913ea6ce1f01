// Compatibility: the official openai npm client (pinned in tests/package.json) drives the gateway,
// whose backends are an OpenAI-kind and an Anthropic-kind mock. Client auth is on, so the SDK's
// own Authorization header is what gets checked.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {startMock, startGateway, track, backend} from './lib/harness.mjs';

const KEY = 'sov-compat-openai-key-7d1e';
const t = track();
let client, o, an;

before(async () => {
    [o, an] = await Promise.all([ startMock('o'), startMock('an') ]);
    t.add(o);
    t.add(an);
    const gw = t.add(await startGateway({
        backends : [ backend('o', o, [ 'gpt-4o-mini' ]), backend('an', an, [ 'claude-haiku' ], {kind : 'anthropic'}) ],
        auth : {keys_env : 'IT_COMPAT_KEYS'},
    },
                                        {env : {IT_COMPAT_KEYS : KEY}}));
    client = new OpenAI({baseURL : `${gw.url}/v1`, apiKey : KEY, maxRetries : 0, timeout : 10000});
});

for (const [model, name] of [[ 'gpt-4o-mini', 'o' ], [ 'claude-haiku', 'an' ]]) {
    test(`chat.completions.create, non-streaming (${name})`, async () => {
        const {data, response} = await client.chat.completions
                                     .create({
                                         model,
                                         max_tokens : 20,
                                         messages : [ {role : 'system', content : 'Be brief.'}, {role : 'user', content : 'Hello'} ]
                                     })
                                     .withResponse();
        assert.equal(response.headers.get('x-sovereign-backend'), name);
        assert.equal(data.object, 'chat.completion');
        assert.equal(data.choices[0].message.role, 'assistant');
        assert.equal(data.choices[0].message.content, `${name}: tok0 tok1 tok2 tok3`);
        assert.equal(data.choices[0].finish_reason, 'stop');
        assert.equal(data.usage.prompt_tokens, 11);
        assert.equal(data.usage.completion_tokens, 4);
        assert.equal(data.usage.total_tokens, 15);
    });

    test(`chat.completions.create, streaming with include_usage (${name})`, async () => {
        const stream = await client.chat.completions.create({
            model,
            max_tokens : 20,
            stream : true,
            stream_options : {include_usage : true},
            messages : [ {role : 'user', content : 'Count. #mock chunks=6 chunk_delay_ms=10'} ],
        });
        let text = '';
        let usage = null;
        let finish = null;
        let n = 0;
        for await (const chunk of stream) {
            n++;
            assert.equal(chunk.object, 'chat.completion.chunk');
            if (chunk.choices.length) {
                text += chunk.choices[0].delta?.content || '';
                finish = chunk.choices[0].finish_reason || finish;
            }
            if (chunk.usage)
                usage = chunk.usage;
        }
        assert.ok(n >= 7, `${n} chunks`);
        assert.equal(text, `${name}: tok0 tok1 tok2 tok3 tok4 tok5`);
        assert.equal(finish, 'stop');
        assert.equal(usage?.prompt_tokens, 11);
        assert.equal(usage?.completion_tokens, 6);
    });

    test(`streaming tool calls reach the SDK (${name})`, async () => {
        const stream = client.beta.chat.completions.stream({
            model,
            max_tokens : 20,
            tools : [ {
                type : 'function',
                function : {name : 'lookup', parameters : {type : 'object', properties : {q : {type : 'string'}}}}
            } ],
            messages : [ {role : 'user', content : 'Use the tool. #mock tool=1 chunks=0'} ],
        });
        const final = await stream.finalChatCompletion();
        const call = final.choices[0].message.tool_calls[0];
        assert.equal(call.function.name, 'lookup');
        assert.deepEqual(JSON.parse(call.function.arguments), {q : 'mock'});
        assert.equal(final.choices[0].finish_reason, 'tool_calls');
    });
}

test('models.list through the SDK', async () => {
    const ids = [];
    for await (const m of client.models.list())
        ids.push(m.id);
    assert.deepEqual(ids.sort(), [ 'auto', 'claude-haiku', 'gpt-4o-mini' ]);
});

test('errors arrive as the SDK error classes, with the OpenAI fields', async () => {
    await assert.rejects(client.chat.completions.create({model : 'nope', messages : [ {role : 'user', content : 'x'} ]}), (e) => {
        assert.ok(e instanceof OpenAI.NotFoundError, e.constructor.name);
        assert.equal(e.status, 404);
        assert.equal(e.code, 'model_not_found');
        assert.equal(e.param, 'model');
        return true;
    });
    await assert.rejects(client.chat.completions.create({model : 'gpt-4o-mini', messages : []}), OpenAI.BadRequestError);
    const bad = new OpenAI({baseURL : client.baseURL, apiKey : 'wrong', maxRetries : 0});
    await assert.rejects(bad.chat.completions.create({model : 'gpt-4o-mini', messages : [ {role : 'user', content : 'x'} ]}),
                         OpenAI.AuthenticationError);
    await assert.rejects(
        client.chat.completions.create({model : 'gpt-4o-mini', messages : [ {role : 'user', content : 'x #mock status=429'} ]}),
        OpenAI.RateLimitError);
});

test('a mid-stream failure surfaces as an error in the SDK, not a hang', async () => {
    const stream = await client.chat.completions.create({
        model : 'gpt-4o-mini',
        stream : true,
        messages : [ {role : 'user', content : 'x #mock chunks=5 break_after=2'} ],
    });
    let text = '';
    await assert.rejects(async () => {
        for await (const chunk of stream)
            text += chunk.choices[0]?.delta?.content || '';
    }, (e) => e instanceof OpenAI.APIError);
    assert.equal(text, 'o: tok0 tok1');
});
