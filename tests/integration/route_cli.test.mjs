// `sovereign route`, `calibrate` and `eval` end to end: the three input forms, the --json fields,
// policy scoping by workflow and client, air_gapped, and the errors on bad input (exit 2, one line).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.SOV_BIN || path.resolve('build/sovereign');
const SRC = process.env.SOV_SOURCE_DIR || path.resolve('.');
const SHARED = process.env.SOV_SHARED_DATA || path.resolve(SRC, '../shared/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sov-route-'));

function run(args, input) {
    const r = spawnSync(BIN, args, {input: input ?? '', encoding: 'utf8', maxBuffer: 256 << 20});
    return {code: r.status, out: r.stdout, err: r.stderr};
}
function usageError(r, re) {
    assert.equal(r.code, 2, `exit status (stderr: ${r.err})`);
    const lines = r.err.split('\n').filter((l) => l.length);
    assert.equal(lines.length, 1, `one line on stderr, got: ${r.err}`);
    if (re)
        assert.match(lines[0], re);
}
const BACKEND = 'backends:\n  - name: local\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    models: [m]\n    tier: local\n';
function config(name, body) {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, BACKEND + body);
    return p;
}

test('a prompt argument gets a short human explanation', () => {
    const r = run([ 'route', 'Summarize this: my IBAN is DE89370400440532013000 and the meeting is Tuesday.' ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^route: +local +\(rule sensitive-stays-local, reason sensitive:iban\)/m);
    assert.match(r.out, /^task: /m);
    assert.match(r.out, /iban +message 0, bytes 27-49/);
    assert.ok(!r.out.includes('DE89370400440532013000'), 'the value is never printed');
});

test('--json on a request body from stdin has every field, and no sensitive value', () => {
    const body = {
        model: 'auto',
        messages: [
            {role: 'system', content: 'You extract fields.'},
            {role: 'user', content: 'Mail jane.doe@example.com, card 4111 1111 1111 1111, then list the names in the text.'},
        ],
        tools: [ {type: 'function', function: {name: 'lookup', description: 'look up a record'}} ],
    };
    const r = run([ 'route', '--json' ], JSON.stringify(body));
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out);
    assert.ok(d.route === 'local' || d.route === 'cloud');
    assert.equal(d.route, 'local');
    assert.equal(typeof d.task, 'string');
    const probs = Object.values(d.task_probs);
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 0.01);
    assert.ok(d.task_probs[d.task] === Math.max(...probs));
    assert.ok(d.complexity >= 0 && d.complexity <= 1);
    assert.equal(d.rule, 'sensitive-stays-local');
    const types = d.sensitive.map((s) => s.type).sort();
    assert.deepEqual(types, [ 'credit_card', 'email' ]);
    for (const s of d.sensitive) {
        assert.equal(s.message, 1);
        const text = body.messages[1].content;
        assert.ok(s.start < s.end && s.end <= Buffer.byteLength(text));
    }
    const em = d.sensitive.find((s) => s.type === 'email');
    assert.equal(Buffer.from(body.messages[1].content).subarray(em.start, em.end).toString(), 'jane.doe@example.com');
    assert.ok(!r.out.includes('jane.doe') && !r.out.includes('4111'), 'values are never printed');
});

test('--jsonl: one decision per line, in order, for thousands of lines', () => {
    const prompts = [ 'write a sonnet about autumn', 'Translate into French: the meeting is at noon.', 'hi!' ];
    const lines = [];
    for (let i = 0; i < 3000; i++)
        lines.push(JSON.stringify({model: 'auto', messages: [ {role: 'user', content: prompts[i % 3]} ]}));
    const f = path.join(tmp, 'many.jsonl');
    fs.writeFileSync(f, lines.join('\n') + '\n');
    const r = run([ 'route', '--jsonl', f ]);
    assert.equal(r.code, 0, r.err);
    const out = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(out.length, 3000);
    for (let i = 0; i < 3; i++)
        assert.deepEqual(out[i + 3], out[i], 'same request, same decision');
    assert.equal(out[0].task, 'creative');
    assert.equal(out[1].task, 'rewrite');
    assert.equal(out[1].route, 'local');
    assert.equal(out[2].task, 'chat');
});

test('--jsonl with bad lines: an error object for each, exit 2 and one line on stderr', () => {
    const r = run([ 'route', '--jsonl', '-' ], '{"messages":[{"role":"user","content":"hi"}]}\n{bad\n{"messages":[]}\n{"input":"x"}\n');
    usageError(r, /3 of 4 lines were not chat requests/);
    const out = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(out.length, 4);
    assert.ok(out[0].route);
    assert.deepEqual(out.slice(1).map((o) => o.line), [ 2, 3, 4 ]);
    assert.match(out[2].error, /conversation is empty/);
});

test('bad input: exit 2 and one line', () => {
    usageError(run([ 'route' ], '{bad'), /invalid JSON/);
    usageError(run([ 'route' ], '{"messages":[]}'), /conversation is empty/);
    usageError(run([ 'route' ], '{"input":"x"}'), /not an OpenAI chat request/);
    usageError(run([ 'route' ], ''), /stdin is empty/);
    usageError(run([ 'route', '' ]), /prompt is empty/);
    usageError(run([ 'route', 'a', 'b' ]), /one argument/);
    usageError(run([ 'route', '--bogus' ]), /unknown option/);
    usageError(run([ 'route', '--jsonl' ]), /needs a value/);
    usageError(run([ 'route', '--jsonl', '/nonexistent/x.jsonl' ]), /No such file/);
    usageError(run([ 'route', '--client', 'not-an-id', 'hi' ]), /16 lower-case hex digits/);
    usageError(run([ 'route', '--config', '/nonexistent.yaml', 'hi' ]));
    usageError(run([ 'route', '--config', config('bad.yaml', 'policy:\n  - name: x\n    route: moon\n'), 'hi' ]));
    usageError(run([ 'calibrate', '--target-local-share', '2', path.join(SRC, 'tests/data/classify_unseen.jsonl') ]), /\[0, 1\]/);
    usageError(run([ 'calibrate', '--target-local-share', '0.5' ]));
    usageError(run([ 'eval', '--tasks', '/nonexistent.jsonl' ]));
});

test('policy scoping by workflow and by client, in rule order; air_gapped overrides the rules', () => {
    const c = config('scoped.yaml', 'policy:\n  - name: team-a-cloud\n    when: { client: [0123456789abcdef] }\n    route: cloud\n' +
                                        '  - name: invoices-local\n    when: { workflow: [invoices] }\n    route: local\n' +
                                        '  - name: rest\n    route: cloud\n');
    const dec = (...a) => JSON.parse(run([ 'route', '--json', '--config', c, ...a, 'Extract the total from: Total 12.00' ]).out);
    assert.deepEqual([ dec().rule, dec().route ], [ 'rest', 'cloud' ]);
    assert.deepEqual([ dec('-w', 'invoices').rule, dec('-w', 'invoices').route ], [ 'invoices-local', 'local' ]);
    assert.equal(dec('-w', 'receipts').rule, 'rest');
    /* the client rule comes first */
    const both = dec('-w', 'invoices', '--client', '0123456789abcdef');
    assert.deepEqual([ both.rule, both.route, both.reason ], [ 'team-a-cloud', 'cloud', 'client:0123456789abcdef' ]);
    const ag = config('ag.yaml', 'router:\n  air_gapped: true\n');
    const d = JSON.parse(run([ 'route', '--json', '--config', ag, 'Write an epic fantasy novel outline with ten chapters.' ]).out);
    assert.deepEqual([ d.route, d.rule ], [ 'local', 'air_gapped' ]);
});

test('calibrate picks a threshold for the target local share and prints the rule', () => {
    const f = path.join(SRC, 'tests/data/classify_unseen2.jsonl');
    const r = run([ 'calibrate', '--target-local-share', '0.3', '--json', f ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.prompts, 120);
    assert.ok(Math.abs(j.local_share - 0.3) < 0.02, `share ${j.local_share}`);
    assert.ok(j.threshold > 0 && j.threshold < 1);
    assert.match(j.policy_yaml, new RegExp(`complexity_below: ${j.threshold.toFixed(4)}`));
    const t = run([ 'calibrate', '--target-local-share', '0.3', f ]);
    assert.equal(t.code, 0);
    assert.match(t.out, /complexity_below: 0\.\d{4}/);
});

test('eval prints accuracy per task, the confusion matrix and local/cloud accuracy', () => {
    const r = run([ 'eval', '--tasks', path.join(SRC, 'tests/data/classify_unseen2.jsonl') ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Confusion matrix/);
    assert.match(r.out, /^ +all +120 +0\.\d{3}$/m);
    assert.match(r.out, /Local\/cloud decision accuracy \(policy applied\): 0\.\d{3}/);
    const j = JSON.parse(run([ 'eval', '--json', '--tasks', path.join(SRC, 'tests/data/classify_unseen2.jsonl') ]).out);
    assert.ok(j);
});

test('eval --routellm prints the cost-quality curve next to random routing', {skip: !fs.existsSync(path.join(SHARED, 'routellm_mmlu')) && 'no shared data'}, () => {
    const r = run([ 'eval', '--routellm', path.join(SHARED, 'routellm_mmlu') ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /cloud share +accuracy +random/);
    assert.match(r.out, /area under the curve 0\.\d{4}, random routing 0\.\d{4}/);
    const [, auc, rnd] = r.out.match(/area under the curve (0\.\d+), random routing (0\.\d+)/);
    assert.ok(Number(auc) > Number(rnd), 'better than random');
});
