// The decision store: the gateway writes one row per request (store.path), `sovereign decisions`
// reads it (table, --json, --summary, filters); no prompt, answer or matched value is ever stored.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, existsSync} from 'node:fs';
import {startMock, startGateway, backend, chat, user, tmpFile, BIN} from './lib/harness.mjs';

const EMAIL = 'margaret.hollis@example.org';
const SECRET_WORD = 'Zanzibar-Quokka-7731';
let mock, gw, db;

function decisions(...args)
{
    return spawnSync(BIN, [ 'decisions', ...args ], {encoding : 'utf8'});
}

function jsonLines(text)
{
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

before(async () => {
    mock = await startMock('store-mock');
    db = tmpFile('decisions.db', '');
    // an empty file is a valid (empty) SQLite database: the gateway must take it
    gw = await startGateway({
        backends : [
            backend('local', mock, [ 'llama-local' ], {tier : 'local', price : {input : 0, output : 0}}),
            backend('cloud', mock, [ 'gpt-x' ], {price : {input : 2, output : 8}}),
        ],
        routing : {default : 'local'},
        router : {local_backend : 'local', cloud_backend : 'cloud'},
        store : {path : db, queue : 64},
    });
    const wf = {headers : {'x-sovereign-workflow' : 'tickets'}};
    assert.equal((await chat(gw, {model : 'auto', messages : user(`Summarize this and reply to ${EMAIL}: ${SECRET_WORD}`)}, wf)).status, 200);
    assert.equal((await chat(gw, {model : 'auto', messages : user('Write an epic poem about the history of Rome, ten stanzas.')})).status, 200);
    assert.equal((await chat(gw, {model : 'gpt-x', messages : user('hello'), stream : true})).status, 200);
    assert.equal((await chat(gw, '{"model":', wf)).status, 400);
    // SIGTERM drains: everything queued is written before the process exits
    const r = await gw.stop();
    assert.equal(r.code, 0);
    await mock.stop();
});

test('every request is one row, oldest first, with what was decided', () => {
    const r = decisions('--store', db, '--json');
    assert.equal(r.status, 0, r.stderr);
    const rows = jsonLines(r.stdout);
    assert.equal(rows.length, 4);
    const [sens, poem, named, bad] = rows;
    assert.equal(sens.route, 'local');
    assert.equal(sens.tier, 'local');
    assert.equal(sens.backend, 'local');
    assert.match(sens.reason, /^sensitive:/);
    assert.deepEqual(sens.sensitive, [ 'email' ]);
    assert.equal(sens.workflow, 'tickets');
    assert.equal(sens.model, 'auto');
    assert.ok(typeof sens.task === 'string' && sens.task.length > 0);
    assert.ok(sens.complexity >= 0 && sens.complexity <= 1);
    assert.equal(sens.status, 200);
    assert.equal(sens.cost_usd, 0);
    assert.ok(sens.prompt_tokens > 0 && sens.completion_tokens > 0);

    assert.equal(poem.route, 'cloud');
    assert.equal(poem.backend, 'cloud');
    assert.equal(poem.task, 'creative');
    assert.ok(poem.cost_usd > 0);
    assert.equal(poem.cost_usd, (poem.prompt_tokens * 2 + poem.completion_tokens * 8) / 1e6);

    assert.equal(named.model, 'gpt-x');
    assert.equal(named.stream, true);
    assert.equal(named.task, undefined, 'a named model is not classified');
    assert.equal(named.attempts, 1);

    assert.equal(bad.status, 400);
    assert.equal(bad.backend, undefined);
    assert.equal(bad.prompt_tokens, undefined);
    for (const row of rows)
        assert.ok(Date.parse(row.time) > Date.now() - 600e3);
});

test('no prompt, answer or matched value reaches the store file', () => {
    for (const f of [ db, `${db}-wal` ]) {
        if (!existsSync(f))
            continue;
        const bytes = readFileSync(f).toString('latin1');
        assert.ok(!bytes.includes(EMAIL), `${f} holds the email`);
        assert.ok(!bytes.includes(SECRET_WORD), `${f} holds prompt text`);
        assert.ok(!bytes.includes('epic poem'), `${f} holds prompt text`);
        assert.ok(!bytes.includes('tok0'), `${f} holds answer text`);
    }
});

test('filters: --route, --workflow, --limit (newest, shown oldest first)', () => {
    assert.deepEqual(jsonLines(decisions('--store', db, '--json', '--route', 'cloud').stdout).map((x) => x.backend), [ 'cloud' ]);
    assert.deepEqual(jsonLines(decisions('--store', db, '--json', '--workflow', 'tickets').stdout).map((x) => x.status), [ 200, 400 ]);
    assert.deepEqual(jsonLines(decisions('--store', db, '--json', '--limit', '2').stdout).map((x) => x.status), [ 200, 400 ]);
    assert.equal(jsonLines(decisions('--store', db, '--json', '--since', '2099-01-01').stdout).length, 0);
    assert.equal(jsonLines(decisions('--store', db, '--json', '--since', '10m').stdout).length, 4);
    assert.equal(jsonLines(decisions('--store', db, '--json', '--until', '10m').stdout).length, 0);
});

test('--summary totals by route, tier, backend, task and sensitive type', () => {
    const r = decisions('--store', db, '--summary', '--json');
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.requests, 4);
    assert.equal(s.errors, 1);
    assert.equal(s.by_tier.local.requests, 1);
    assert.equal(s.by_tier.cloud.requests, 2);
    assert.equal(s.local_share, 0.25);
    assert.equal(s.by_sensitive.email.requests, 1);
    assert.equal(s.by_task.creative.requests, 1);
    assert.ok(Math.abs(s.cost_usd - (s.by_backend.cloud.cost_usd)) < 1e-12);
    const text = decisions('--store', db, '--summary');
    assert.match(text.stdout, /^4 requests, 1 errors, .* 25\.0% answered locally$/m);
    const table = decisions('--store', db);
    assert.equal(table.status, 0);
    assert.equal(table.stdout.trim().split('\n').length, 5, 'a header and four rows');
    assert.match(table.stdout, /sensitive:email/);
});

test('--config reads store.path from the configuration', () => {
    const cfg = tmpFile('with-store.yaml', `backends:\n  - name: x\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    models: [m]\nstore:\n  path: ${JSON.stringify(db)}\n`);
    const r = decisions('--config', cfg, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(jsonLines(r.stdout).length, 4);
});

test('bad input: one line on stderr, exit 2', () => {
    const cases = [
        [ '--store', '/nonexistent/dir/x.db' ],
        [ '--store', '/etc/hostname' ],
        [ '--store', db, '--since', 'yesterday' ],
        [ '--store', db, '--route', 'moon' ],
        [ '--store', db, '--limit', '-3' ],
        [],
        [ '--store', db, '--config', db ],
        [ '--store', db, 'extra' ],
    ];
    for (const args of cases) {
        const r = decisions(...args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /^sovereign decisions: /);
        assert.equal(r.stdout, '');
    }
    // a store the gateway cannot open stops it at start, naming the key
    const cfg = tmpFile('bad-store.yaml', `backends:\n  - name: x\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    models: [m]\nstore:\n  path: /nonexistent/dir/x.db\n`);
    const r = spawnSync(BIN, [ 'serve', '--config', cfg ], {encoding : 'utf8', timeout : 10000});
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /store\.path/);
    const q = tmpFile('bad-queue.yaml', `backends:\n  - name: x\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    models: [m]\nstore:\n  path: x.db\n  queue: 3\n`);
    const c = spawnSync(BIN, [ 'serve', '--check-config', q ], {encoding : 'utf8'});
    assert.equal(c.status, 2);
    assert.match(c.stderr, /store\.queue.*line 8/);
});
