// The router in `serve`: policy scoped by the x-sovereign-workflow header and by client key, the
// decision counter in /metrics, a named cloud model carrying sensitive data (keep_local, refuse,
// allow), and air_gapped.
import {test, before} from 'node:test';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {startMock, startGateway, track, backend, chat, user, metrics, openaiError} from './lib/harness.mjs';

const KEY_A = 'sov-client-team-a-3f9d0c1b';
const KEY_B = 'sov-client-team-b-8e7a6b5c';
const idOf = (k) => createHash('sha256').update(k).digest('hex').slice(0, 16);
const t = track();
let loc, cloud;

before(async () => {
    [loc, cloud] = await Promise.all([ startMock('loc'), startMock('cloud') ]);
    t.add(loc);
    t.add(cloud);
});

function backends()
{
    return [
        backend('loc', loc, [ 'local-model' ], {tier : 'local', price : {input : 0, output : 0}}),
        backend('cloud', cloud, [ 'gpt-x' ], {price : {input : 2.5, output : 10}}),
    ];
}
const bearer = (k) => ({authorization : `Bearer ${k}`});

test('rules scoped by workflow header and client key, in order; decisions counted by route and reason', async () => {
    const gw = t.add(await startGateway({
        backends : backends(),
        routing : {default : 'cloud', fallback : []},
        auth : {keys_env : 'IT_KEYS'},
        policy : [
            {name : 'sensitive-stays-local', when : {sensitive : 'any'}, route : 'local'},
            {name : 'team-b-cloud', when : {client : [ idOf(KEY_B) ]}, route : 'cloud'},
            {name : 'invoices-pilot', when : {workflow : [ 'invoices' ]}, route : 'local'},
            {name : 'default', route : 'cloud'},
        ],
    },
                                  {env : {IT_KEYS : `${KEY_A},${KEY_B}`}}));
    const ask = (key, headers = {}) =>
        chat(gw, {model : 'auto', messages : user('Extract the invoice total: Total due 1,240.00 EUR')},
             {headers : {...bearer(key), ...headers}});
    const m0 = await metrics(gw);

    let r = await ask(KEY_A);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([ r.headers.get('x-sovereign-route'), r.headers.get('x-sovereign-backend') ], [ 'cloud', 'cloud' ]);
    assert.equal(r.headers.get('x-sovereign-reason'), 'default');

    r = await ask(KEY_A, {'x-sovereign-workflow' : 'invoices'});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([ r.headers.get('x-sovereign-route'), r.headers.get('x-sovereign-backend') ], [ 'local', 'loc' ]);
    assert.equal(r.headers.get('x-sovereign-reason'), 'workflow:invoices');
    assert.equal((await loc.last()).json.model, 'local-model');

    r = await ask(KEY_A, {'x-sovereign-workflow' : 'receipts'});
    assert.equal(r.headers.get('x-sovereign-route'), 'cloud', 'another workflow is not in the pilot');

    /* team B's rule comes before the pilot */
    r = await ask(KEY_B, {'x-sovereign-workflow' : 'invoices'});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-route'), 'cloud');
    assert.equal(r.headers.get('x-sovereign-reason'), `client:${idOf(KEY_B)}`);

    /* sensitive data first of all */
    r = await chat(gw, {model : 'auto', messages : user('Wire it to DE89 3704 0044 0532 0130 00 today.')},
                   {headers : {...bearer(KEY_B), 'x-sovereign-workflow' : 'invoices'}});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([ r.headers.get('x-sovereign-route'), r.headers.get('x-sovereign-reason') ], [ 'local', 'sensitive:iban' ]);

    const m = await metrics(gw);
    const d = (labels) => m.get('sovereign_route_decisions_total', labels) - m0.get('sovereign_route_decisions_total', labels);
    assert.equal(d({route : 'local'}), 2);
    assert.equal(d({route : 'cloud'}), 3);
    assert.equal(d({route : 'local', reason : 'workflow'}), 1);
    assert.equal(d({route : 'local', reason : 'sensitive'}), 1);
    assert.equal(d({route : 'cloud', reason : 'client'}), 1);
    assert.ok(!m.text.includes(idOf(KEY_B)), 'metrics carry reason categories, not client ids');
    /* the access log has the route and reason, never the prompt or the IBAN */
    const log = await gw.waitAccessLog(5);
    assert.ok(log.some((l) => l.route === 'local' && /^sensitive:iban/.test(l.reason)), JSON.stringify(log.slice(-1)));
    assert.ok(!gw.log().includes('DE89') && !gw.log().includes('1,240.00'));
});

test('a named cloud model with sensitive data: keep_local, refuse, allow', async () => {
    const body = {model : 'gpt-x', messages : user('My SSN is 531-21-7351, fill in the form.')};
    const keep = t.add(await startGateway({backends : backends(), routing : {default : 'cloud', fallback : []}}));
    let r = await chat(keep, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'loc', 'kept local');
    assert.equal(r.headers.get('x-sovereign-tier'), 'local');
    assert.equal((await loc.last()).json.model, 'local-model');
    /* a request without sensitive data goes where it asked */
    r = await chat(keep, {model : 'gpt-x', messages : user('Write a haiku about rivers.')});
    assert.equal(r.headers.get('x-sovereign-backend'), 'cloud');

    const refuse = t.add(await startGateway(
        {backends : backends(), routing : {default : 'cloud', fallback : []}, router : {on_sensitive_cloud : 'refuse'}}));
    r = await chat(refuse, body);
    openaiError(assert, r, 403, 'sensitive_data');
    assert.ok(!r.text.includes('531-21-7351'), 'the value is not echoed');

    const allow = t.add(await startGateway(
        {backends : backends(), routing : {default : 'cloud', fallback : []}, router : {on_sensitive_cloud : 'allow'}}));
    r = await chat(allow, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-sovereign-backend'), 'cloud');

    /* keep_local with no local backend: refused with a clear error */
    const none = t.add(await startGateway({
        backends : [ backend('cloud', cloud, [ 'gpt-x' ], {price : {input : 2.5, output : 10}}) ],
        routing : {default : 'cloud', fallback : []},
    }));
    r = await chat(none, body);
    openaiError(assert, r, 403, 'sensitive_data');
});

test('air_gapped: everything local whatever the rules say', async () => {
    const gw = t.add(await startGateway({
        backends : backends(),
        routing : {default : 'cloud', fallback : []},
        router : {air_gapped : true},
        policy : [ {name : 'all-cloud', route : 'cloud'} ],
    }));
    const r = await chat(gw, {model : 'auto', messages : user('Write an epic poem about the sea.')});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([ r.headers.get('x-sovereign-route'), r.headers.get('x-sovereign-reason'), r.headers.get('x-sovereign-backend') ],
                     [ 'local', 'air_gapped', 'loc' ]);
    const named = await chat(gw, {model : 'gpt-x', messages : user('hello')});
    assert.notEqual(named.headers.get('x-sovereign-backend'), 'cloud', 'a cloud model is never reached when air-gapped');
});
