#!/usr/bin/env node
// Maps ../shared/data into labelled JSONL for `sovereign train` (one line per example:
// {"messages"|"prompt", "task", "group", "source", "complexity"?}). The output holds text from the
// shared data sets, so it is written under build/ and never committed; rerun to rebuild it.
//   node scripts/build-corpus.mjs [SHARED_DATA_DIR] [OUT.jsonl]
// Deterministic: no randomness except a fixed-seed subsample of the large sources.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const dataDir = process.argv[2] || path.resolve(root, '../shared/data');
const outPath = process.argv[3] || path.join(root, 'build/corpus/shared.jsonl');

const out = [];
const counts = {};
function emit(source, task, ex, group, complexity) {
  const o = { ...ex, task, source, group: `${source}:${group}` };
  if (complexity !== undefined) o.complexity = Math.max(0, Math.min(1, Math.round(complexity * 1000) / 1000));
  out.push(JSON.stringify(o));
  const k = `${source}\t${task}`;
  counts[k] = (counts[k] || 0) + 1;
}
const jsonl = (p) => fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
// a small deterministic PRNG for subsampling
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
function sample(arr, n) {
  const a = arr.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}
const user = (text) => ({ role: 'user', content: text });
const asst = (text) => ({ role: 'assistant', content: text });

// --- MT-Bench: category -> task; turn 1 alone, and the two-turn conversation with a model's answer
const mtMap = { writing: 'creative', roleplay: 'creative', reasoning: 'reasoning', math: 'reasoning', coding: 'code',
  extraction: 'extraction', stem: 'open_qa', humanities: 'open_qa' };
const mtPrior = { creative: 0.6, reasoning: 0.85, code: 0.8, extraction: 0.3, open_qa: 0.6 };
{
  const qs = jsonl(path.join(dataDir, 'mt_bench/question.jsonl'));
  const answers = {};
  const ap = path.join(dataDir, 'mt_bench/model_answer/gpt-4.jsonl');
  if (fs.existsSync(ap)) for (const a of jsonl(ap)) answers[a.question_id] = a.choices[0].turns[0];
  for (const q of qs) {
    const task = mtMap[q.category];
    if (!task) continue;
    emit('mt_bench', task, { messages: [user(q.turns[0])] }, q.question_id, mtPrior[task]);
    if (q.turns[1] && answers[q.question_id])
      emit('mt_bench', task, { messages: [user(q.turns[0]), asst(answers[q.question_id]), user(q.turns[1])] }, q.question_id, mtPrior[task]);
  }
}

// --- Vicuna bench
const vicMap = { generic: 'open_qa', knowledge: 'open_qa', roleplay: 'creative', 'common-sense': 'open_qa', fermi: 'reasoning',
  counterfactual: 'open_qa', coding: 'code', math: 'reasoning', writing: 'creative' };
for (const q of jsonl(path.join(dataDir, 'vicuna_bench/question.jsonl'))) {
  const task = vicMap[q.category];
  if (task) emit('vicuna_bench', task, { messages: [user(q.turns[0])] }, q.question_id, task === 'open_qa' ? 0.45 : 0.7);
}

// --- Arena-Hard: hard prompts; the label comes from the prompt and its cluster name (code, math, creative, else open_qa)
const codeRe = /```|\b(python|javascript|typescript|java|c\+\+|c#|rust|golang|kotlin|swift|php|sql|bash|shell|regex|html|css|react|django|flask|pandas|numpy|pytorch|tensorflow|docker|kubernetes|vba|excel formula|matlab|function|script|code|program|implement|api|class|compile|debug|awk|sed|latex|svg|json|yaml|linux|nix|cuda|gradio|streamlit|laravel|symfony|odoo|roblox|lua|vb6|hlsl|verilog|assembly|arm)\b/i;
const mathRe = /\b(prove|proof|probability|calculate|compute|solve|equation|integral|derivative|theorem|expected value|how many|puzzle|riddle|irrational|dice|matrix|geometry|triangle|math)\b/i;
const creativeRe = /\b(write (a|an|me a) (story|poem|song|rap|limerick|haiku|melody|script|play|joke)|poem|song lyrics|melody|fiction|role ?play|text rpg|dungeon master|character)\b/i;
for (const q of jsonl(path.join(dataDir, 'arena_hard/v0.1/question.jsonl'))) {
  const text = q.prompt || (q.turns && q.turns[0] && (q.turns[0].content || q.turns[0]));
  if (typeof text !== 'string') continue;
  const probe = `${q.cluster} ${text.slice(0, 1500)}`;
  let task = 'open_qa';
  if (creativeRe.test(probe) && !/```/.test(text)) task = 'creative';
  else if (codeRe.test(probe)) task = 'code';
  else if (mathRe.test(probe)) task = 'reasoning';
  emit('arena_hard', task, { messages: [user(text)] }, q.uid, 0.85);
}

// --- Self-Instruct: is_classification -> classification; others by the instruction's wording
const siRules = [
  [/\bsummar|\btl;?dr|\bin (one|a) sentence\b.*(article|text|paragraph)/i, 'summarization'],
  [/\btranslat|\brewrite|\bparaphrase|\brephrase|\bcorrect (the )?(grammar|spelling)|\bproofread|\bmake (it|the)\b.*(formal|polite|concise|shorter)|\bconvert\b.*\b(to|into)\b.*(passive|active|formal|table|list)|\bsimplify the (sentence|text)/i, 'rewrite'],
  [/\bextract|\bfind (all|the) (names|dates|entities|numbers)|\blist (all|the) (names|entities|people|places)|\bidentify (all )?the (entities|names|dates)/i, 'extraction'],
  [/\b(based on|according to|given) the (passage|text|article|paragraph|context|document|information)\b|\banswer the question\b.*\b(passage|text)/i, 'closed_qa'],
  [/\b(code|function|program|python|javascript|sql|regex|algorithm|java\b|c\+\+|html|implement)/i, 'code'],
  [/\b(story|poem|poetry|song|lyrics|slogan|joke|haiku|limerick|creative|fiction|tweet|toast|invent|imagine|brainstorm)/i, 'creative'],
  [/\b(solve|calculate|compute|math|equation|probability|how many|puzzle|logic|reason|prove|arithmetic)/i, 'reasoning'],
  [/\b(classify|categor|which (category|class|type)|is (this|it|the) (a |an )?(positive|negative|spam|fake|sarcastic)|sentiment|label)/i, 'classification'],
  [/\b(what|why|how|who|when|where|explain|describe|tell me|suggest|recommend|give (me )?(some|a few)?\s*(tips|advice|ideas|examples))/i, 'open_qa'],
];
function siLabel(t) {
  if (t.is_classification) return 'classification';
  for (const [re, task] of siRules) if (re.test(t.instruction)) return task;
  return null;
}
for (const f of ['seed_tasks.jsonl', 'user_oriented_instructions.jsonl']) {
  for (const t of jsonl(path.join(dataDir, 'self_instruct', f))) {
    const task = siLabel(t);
    if (!task) continue;
    const insts = (t.instances || []).slice(0, 3);
    if (!insts.length) insts.push({ input: '' });
    insts.forEach((inst, i) => {
      const input = (inst.input || '').trim();
      const text = input ? (i % 2 ? `${input}\n\n${t.instruction}` : `${t.instruction}\n\n${input}`) : t.instruction;
      emit('self_instruct', task, { messages: [user(text)] }, t.id || t.name);
    });
  }
}

// --- GSM8K -> reasoning; complexity from the number of calculation steps in the reference solution
for (const q of sample(jsonl(path.join(dataDir, 'gsm8k/train.jsonl')), 1000)) {
  const steps = (q.answer.match(/<</g) || []).length;
  emit('gsm8k', 'reasoning', { messages: [user(q.question)] }, q.question.slice(0, 64), 0.5 + 0.07 * steps);
}

// --- HumanEval -> code (the prompt is a function signature and docstring: ask for its completion)
{
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 'humaneval/HumanEval.jsonl.gz'))).toString('utf8');
  const asks = ['Complete this Python function:', 'Implement the function below.', '', 'Finish the implementation:'];
  raw.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).forEach((q, i) => {
    const ask = asks[i % asks.length];
    const text = ask ? (i % 2 ? `${ask}\n\n\`\`\`python\n${q.prompt}\`\`\`` : `${ask}\n\n${q.prompt}`) : q.prompt;
    emit('humaneval', 'code', { messages: [user(text)] }, q.task_id, 0.8);
  });
}

// --- Dolly open_qa -> open_qa
{
  const rows = jsonl(path.join(dataDir, 'open_qa/chinkara-open_qa.jsonl'));
  for (const r of sample(rows, 1000)) {
    const m = /### Human:\s*([\s\S]*?)\s*### Assistant:/.exec(r.text);
    if (m && m[1].length > 8) emit('open_qa', 'open_qa', { messages: [user(m[1])] }, m[1].slice(0, 64), 0.45);
  }
}

// --- RouteLLM MMLU: quantitative subjects -> reasoning, the rest -> open_qa; complexity from the outcomes:
// the weak (Mixtral) model failed where the strong (GPT-4) one succeeded -> 0.9, both right -> 0.3,
// both wrong -> 0.75, only the weak one right -> 0.4
const quant = new Set(['abstract_algebra', 'college_mathematics', 'high_school_mathematics', 'elementary_mathematics',
  'college_physics', 'high_school_physics', 'college_chemistry', 'high_school_chemistry', 'high_school_statistics',
  'econometrics', 'formal_logic', 'college_computer_science', 'machine_learning', 'electrical_engineering']);
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
{
  const dir = path.join(dataDir, 'routellm_mmlu/responses');
  for (const f of fs.readdirSync(dir).sort()) {
    const subject = f.replace(/^mmlu_/, '').replace(/\.csv$/, '');
    const rows = parseCsv(fs.readFileSync(path.join(dir, f), 'utf8')).slice(1).filter((r) => r.length >= 3);
    const task = quant.has(subject) ? 'reasoning' : 'open_qa';
    for (const r of sample(rows, quant.has(subject) ? 45 : 25)) {
      const weak = r[1] === 'True', strong = r[2] === 'True';
      const cx = !weak && strong ? 0.9 : weak && strong ? 0.3 : !weak && !strong ? 0.75 : 0.4;
      emit('routellm_mmlu', task, { messages: [user(r[0])] }, r[0].slice(0, 80), cx);
    }
  }
}

fs.mkdirSync(path.dirname(outPath), { recursive: true });
fs.writeFileSync(outPath, out.join('\n') + '\n');
const bySource = {};
for (const [k, n] of Object.entries(counts)) {
  const [s, t] = k.split('\t');
  (bySource[s] ||= {})[t] = n;
}
for (const [s, m] of Object.entries(bySource)) console.log(`${s.padEnd(14)} ${Object.entries(m).map(([t, n]) => `${t}=${n}`).join(' ')}`);
console.log(`wrote ${out.length} examples to ${outPath}`);
