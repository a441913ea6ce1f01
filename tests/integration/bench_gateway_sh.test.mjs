// bench/gateway.sh --smoke: the gateway benchmark runs end to end (mock, sovereign at 1 and 2
// workers, nginx, Portkey, wrk, gw_latency, idle RSS, a 2-second soak) and produces every figure as
// a number. It checks that the script works, never how fast anything is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SRC = process.env.SOV_SOURCE_DIR ?? '.';
const out = mkdtempSync(path.join(tmpdir(), 'sov-bench-smoke-'));

test('bench/gateway.sh --smoke produces every figure', { timeout: 300_000 }, () => {
  const r = spawnSync('bash', [path.join(SRC, 'bench/gateway.sh'), '--smoke', '--out', out], {
    encoding: 'utf8',
    timeout: 280_000,
    env: { ...process.env },
  });
  try {
    assert.equal(r.status, 0, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    const figures = new Map(
      readFileSync(path.join(out, 'results.tsv'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')),
    );
    const num = (k) => {
      assert.ok(figures.has(k), `missing figure ${k}`);
      const v = Number(figures.get(k));
      assert.ok(Number.isFinite(v), `${k} is not a number: '${figures.get(k)}'`);
      return v;
    };
    const targets = ['direct', 'sovereign-1w', 'sovereign-2w', 'nginx-1w', 'nginx-2w', 'portkey'];
    for (const kind of ['small', 'stream100']) {
      for (const t of targets) {
        assert.ok(num(`latency.${kind}.${t}.p50_us`) > 0, `${kind} ${t} p50`);
        assert.ok(num(`latency.${kind}.${t}.p99_us`) >= num(`latency.${kind}.${t}.p50_us`));
        num(`latency.${kind}.${t}.added_p50_us`);
        num(`latency.${kind}.${t}.added_p99_us`);
        assert.equal(num(`latency.${kind}.${t}.errors`), 0, `${kind} ${t}: failed requests`);
        assert.ok(num(`throughput.${kind}.${t}.rps`) > 0, `${kind} ${t} throughput`);
        assert.equal(num(`throughput.${kind}.${t}.errors`), 0, `${kind} ${t}: wrk errors`);
      }
      assert.equal(num(`latency.${kind}.direct.added_p50_us`), 0);
    }
    for (const k of ['idle_rss.w1.kb', 'idle_rss.w2.kb', 'rss_after_load.w1.kb', 'rss_after_load.w2.kb',
      'soak.rss_start_kb', 'soak.rss_end_kb', 'soak.rss_max_kb', 'soak.rss_after_warmup_kb']) {
      assert.ok(num(k) > 1000, `${k}: an RSS in kB`);
    }
    assert.ok(num('soak.requests') > 0);
    assert.equal(num('soak.errors'), 0);
    assert.ok(![...figures.keys()].some((k) => k.startsWith('exit_status.')), 'a sovereign exited uncleanly');
    // the markdown for docs/benchmarks.md: the three tables, no placeholder left
    for (const h of ['| answer | workers | direct p50 / p99 |', '| answer | workers | mock direct |', '| idle, 1 worker |',
      '| requests | errors | RSS at start |']) {
      assert.ok(r.stdout.includes(h), `table '${h}' missing:\n${r.stdout}`);
    }
    const rows = r.stdout.split('\n').filter((l) => /^\| (small|100-chunk|[0-9])/.test(l));
    assert.ok(rows.length >= 10, r.stdout);
    for (const row of rows) assert.ok(!/\| - \||\/ - \|| - \//.test(row), `a figure is missing in: ${row}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
