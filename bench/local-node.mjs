// The local node benchmark (docs/benchmarks.md "Local node"), run by bench/local-node.sh.
// On one GGUF model, the same threads and the same prompts, greedy decoding of a fixed length:
//   A  llama-server (the pinned llama.cpp, built by scripts/deps.sh --from-source), called directly;
//   B  Sovereign's in-process `llama` backend;
//   C  Sovereign's `openai` backend in front of the same llama-server (the gateway's added latency).
// Every request streams; the client measures time to first token (prompt processing) and the time
// from the first to the last token (generation), the same way for all three. Rounds interleave
// A, B, C so that a noisy machine affects them alike. Prints a Markdown table and writes JSON.
import {spawn} from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import {writeFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const env = process.env;
const BIN = env.SOV_BIN, SERVER = env.SOV_LLAMA_SERVER, MODEL = env.MODEL;
const THREADS = Number(env.THREADS || 1), N = Number(env.N || 64), ROUNDS = Number(env.ROUNDS || 5);
const PROMPTS = Number(env.PROMPTS || 4), OUT = env.OUT || '', REPEAT = Number(env.PROMPT_REPEAT || 1);
const prompts = [
    'Summarise the following paragraph in one sentence: the committee met on Tuesday to review the budget.',
    'Translate to French: the weather is nice today and we are going to the park after lunch.',
    'Extract the names from: Alice met Bob and Carol at the station, then they called Dave.',
    'Classify the sentiment of this review as positive or negative: the food was cold and the service slow.',
    'Rewrite politely: send me the report now.',
    'Answer from the passage: The Nile is about 6650 km long. How long is the Nile?',
].slice(0, PROMPTS).map((p) => Array(REPEAT).fill(p).join('\n'));

const live = [];
process.on('exit', () => live.forEach((p) => { try { p.kill('SIGKILL'); } catch {} }));
const tmp = mkdtempSync(join(tmpdir(), 'sov-bench-node-'));
process.on('exit', () => rmSync(tmp, {recursive : true, force : true}));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});

function start(cmd, args, re)
{
    const p = spawn(cmd, args, {stdio : [ 'ignore', 'pipe', 'pipe' ]});
    live.push(p);
    let out = '';
    return new Promise((res, rej) => {
        const on = (d) => {
            out += d;
            const m = out.match(re);
            if (m)
                res({p, m});
        };
        p.stdout.on('data', on);
        p.stderr.on('data', on);
        p.on('exit', (c) => rej(new Error(`${cmd} exited ${c}: ${out.slice(-1500)}`)));
    });
}

const agent = new http.Agent({keepAlive : true, maxSockets : 1});
// One streaming chat request: {ttft, gen (ms from first to last token), n (completion tokens), np}
function stream(port, model, prompt)
{
    const body = JSON.stringify({model, messages : [ {role : 'user', content : prompt} ], max_tokens : N, temperature : 0,
                                 stream : true, stream_options : {include_usage : true},
                                 cache_prompt : false}); // llama-server would reuse the previous target's prompt
    return new Promise((res, rej) => {
        const t0 = performance.now();
        let first = 0, last = 0, text = '';
        const req = http.request({host : '127.0.0.1', port, path : '/v1/chat/completions', method : 'POST', agent,
                                  headers : {'content-type' : 'application/json', 'content-length' : Buffer.byteLength(body)}},
                                 (r) => {
                                     r.setEncoding('utf8');
                                     r.on('data', (d) => {
                                         const now = performance.now();
                                         if (!first && d.includes('"content"'))
                                             first = now;
                                         if (d.includes('"content"'))
                                             last = now;
                                         text += d;
                                     });
                                     r.on('end', () => {
                                         const m = text.match(/"completion_tokens":(\d+)/), q = text.match(/"prompt_tokens":(\d+)/);
                                         if (r.statusCode !== 200 || !m)
                                             return rej(new Error(`status ${r.statusCode}: ${text.slice(0, 300)}`));
                                         res({ttft : first - t0, gen : last - first, total : performance.now() - t0, n : Number(m[1]),
                                              np : Number(q[1])});
                                     });
                                 });
        req.on('error', rej);
        req.end(body);
    });
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };

const lsPort = await freePort();
const ls = await start(SERVER, [ '-m', MODEL, '--host', '127.0.0.1', '--port', String(lsPort), '-t', String(THREADS), '-tb', String(THREADS),
                                 '-c', '2048', '-np', '1', '--no-warmup' ], /listening on/);
const cfg = join(tmp, 'gw.yaml');
writeFileSync(cfg, `server:\n  listen: 127.0.0.1:0\n  workers: 1\n  access_log: false\n  log_level: warn\nbackends:\n` +
                   `  - name: embedded\n    kind: llama\n    model: ${MODEL}\n    models: [embedded]\n    tier: local\n    threads: ${THREADS}\n    parallel: 1\n    ctx_size: 2048\n` +
                   `  - name: relay\n    kind: openai\n    base_url: http://127.0.0.1:${lsPort}/v1\n    models: [relay]\n    tier: local\n`);
const gw = await start(BIN, [ 'serve', '--config', cfg ], /listening on http:\/\/127\.0\.0\.1:(\d+)/);
const gwPort = Number(gw.m[1]);

const targets = [ ['llama-server (direct)', lsPort, 'x'], ['sovereign llama kind (in-process)', gwPort, 'embedded'], ['sovereign -> llama-server', gwPort, 'relay'] ];
const res = targets.map(() => ({ttft : [], gen : [], total : [], ptps : [], gtps : [], n : 0}));
for (const [, port, model] of targets) // warm-up
    await stream(port, model, prompts[0]);
const ratios = {gen : [], prompt : []};
for (let r = 0; r < ROUNDS; r++) {
    const round = targets.map(() => ({g : [], p : []}));
    for (const pr of prompts)
        for (const [i, [, port, model]] of targets.entries()) {
            const x = await stream(port, model, pr);
            const o = res[i];
            o.ttft.push(x.ttft), o.gen.push(x.gen), o.total.push(x.total), o.n += x.n;
            o.ptps.push(x.np / (x.ttft / 1000));
            if (x.n > 1)
                o.gtps.push((x.n - 1) / (x.gen / 1000));
            round[i].g.push((x.n - 1) / (x.gen / 1000)), round[i].p.push(x.np / (x.ttft / 1000));
        }
    ratios.gen.push(median(round[1].g) / median(round[0].g));
    ratios.prompt.push(median(round[1].p) / median(round[0].p));
}
const rows = targets.map(([name], i) => ({
    target : name,
    requests : res[i].ttft.length,
    gen_tps_p50 : median(res[i].gtps),
    prompt_tps_p50 : median(res[i].ptps),
    ttft_ms_p50 : median(res[i].ttft),
    ttft_ms_p90 : pct(res[i].ttft, 90),
    total_ms_p50 : median(res[i].total),
}));
const out = {model : MODEL, threads : THREADS, max_tokens : N, prompt_repeat : REPEAT, rounds : ROUNDS, prompts : prompts.length, rows,
             ratio_gen_per_round : ratios.gen, ratio_prompt_per_round : ratios.prompt,
             ratio_gen_median : median(ratios.gen), ratio_prompt_median : median(ratios.prompt),
             gateway_added_ttft_ms_p50 : rows[2].ttft_ms_p50 - rows[0].ttft_ms_p50,
             gateway_added_total_ms_p50 : rows[2].total_ms_p50 - rows[0].total_ms_p50};
console.log(`model ${MODEL}, threads ${THREADS}, ${N} tokens greedy, ${prompts.length} prompts (each x${REPEAT}) x ${ROUNDS} rounds\n`);
console.log('| target | requests | gen tok/s p50 | prompt tok/s p50 | TTFT p50 ms | TTFT p90 ms | total p50 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
    console.log(`| ${r.target} | ${r.requests} | ${r.gen_tps_p50.toFixed(1)} | ${r.prompt_tps_p50.toFixed(0)} | ${r.ttft_ms_p50.toFixed(2)} | ${r.ttft_ms_p90.toFixed(2)} | ${r.total_ms_p50.toFixed(1)} |`);
console.log(`\nin-process / llama-server, per-round medians: generation ${ratios.gen.map((x) => x.toFixed(2)).join(' ')} ` +
            `(median ${out.ratio_gen_median.toFixed(2)}); prompt ${ratios.prompt.map((x) => x.toFixed(2)).join(' ')} (median ${out.ratio_prompt_median.toFixed(2)})`);
console.log(`gateway in front of llama-server: TTFT +${out.gateway_added_ttft_ms_p50.toFixed(2)} ms p50, total +${out.gateway_added_total_ms_p50.toFixed(2)} ms p50`);
if (OUT)
    writeFileSync(OUT, JSON.stringify(out, null, 2));
agent.destroy();
for (const p of [gw.p, ls.p])
    p.kill('SIGTERM');
await sleep(300);
process.exit(0);
