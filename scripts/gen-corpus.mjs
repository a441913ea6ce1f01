#!/usr/bin/env node
// Generates Sovereign's own labelled examples into OUT_DIR/<task>.jsonl (scripts/train-router.sh uses
// build/corpus/own; generated, not committed) from the templates and documents in scripts/corpus/ (all
// written for this project). Deterministic (fixed seed): rerunning
// rewrites the same files. Each example's "group" is its template, so `sovereign train` holds out
// whole templates, not near-duplicates of training lines.
//   node scripts/gen-corpus.mjs [OUT_DIR]
import fs from 'node:fs';
import path from 'node:path';
import { DOCS, SHORT, CODE } from './corpus/docs.mjs';
import * as T from './corpus/templates.mjs';
import * as M from './corpus/more.mjs';
import * as B from './corpus/broad.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const outDir = process.argv[2] || path.resolve(here, '../build/corpus/own');
const ALL_DOCS = [...DOCS, ...M.DOCS2];
const ALL_SHORT = [...SHORT, ...M.SHORT2];
let seed = 20240611;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
const ri = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const user = (c) => ({ role: 'user', content: c });
const asst = (c) => ({ role: 'assistant', content: c });
const sys = (c) => ({ role: 'system', content: c });
const prior = { classification: 0.15, extraction: 0.2, summarization: 0.25, rewrite: 0.25, closed_qa: 0.25, open_qa: 0.5,
  creative: 0.6, reasoning: 0.8, code: 0.75, chat: 0.1 };
const files = {};
function emit(task, group, messages, extra = {}) {
  const len = messages.reduce((n, m) => n + m.content.length, 0);
  let cx = prior[task] + (len > 4000 ? 0.1 : 0) + (rnd() - 0.5) * 0.1;
  cx = Math.round(Math.max(0.02, Math.min(0.98, cx)) * 1000) / 1000;
  (files[task] ||= []).push(JSON.stringify({ messages, ...extra, task, group: `${task}:${group}`, source: 'corpus', complexity: cx }));
}

const HEADERS = { en: ['Text:', 'Email:', 'Document:', 'Input:', 'Message:', 'Notes:', 'Content:', 'Here it is:', 'Source:'],
  fr: ['Texte :', 'Message :', 'Document :'], de: ['Text:', 'Nachricht:', 'Dokument:'], es: ['Texto:', 'Mensaje:', 'Documento:'],
  it: ['Testo:'], pt: ['Texto:'] };
const PREAMBLES = ['', '', 'You are a helpful assistant. ', 'You work for the operations team. ', 'Act as a careful analyst. '];
const WARMUPS = [['I have something I need help with.', 'Sure, paste it here.'], ['can you help with a doc?', 'Of course! Send it over.'],
  ['Hi! Work question.', 'Hi! What do you need?']];

// A document of the wanted language (or any), sometimes several joined into a long one.
function docFor(lang, shortOnly) {
  if (shortOnly || (rnd() < 0.25 && lang !== 'xx')) {
    const n = rnd() < 0.7 ? 1 : ri(2, 6);
    const items = [];
    for (let i = 0; i < n; i++) items.push(pick(ALL_SHORT));
    return { text: n === 1 ? items[0] : items.map((s, i) => `${i + 1}. ${s}`).join('\n'), lang: 'en', q: null };
  }
  let pool = ALL_DOCS;
  if (lang === 'xx') pool = ALL_DOCS.filter((d) => d.lang !== 'en');
  else if (lang && rnd() < 0.7) pool = ALL_DOCS.filter((d) => d.lang === lang);
  const d = pick(pool.length ? pool : ALL_DOCS);
  if (rnd() < 0.12) {
    // a long document: several of the same language joined
    const same = ALL_DOCS.filter((x) => x.lang === d.lang && x !== d);
    const parts = [d.t];
    for (let i = 0; i < ri(2, 8) && same.length; i++) parts.push(pick(same).t);
    return { text: parts.join('\n\n'), lang: d.lang, q: d.q };
  }
  return { text: d.t, lang: d.lang, q: d.q };
}

// Places an instruction and its data into a conversation in one of several layouts.
function place(instr, doc, allowSys, lang) {
  const hdr = pick(HEADERS[lang] || HEADERS.en);
  const oneLine = !doc.includes('\n') && doc.length < 400;
  const layouts = [0, 1, 2, 5, 6, 7, 8];
  if (allowSys) layouts.push(3, 3, 3);
  if (oneLine) layouts.push(4, 4);
  switch (pick(layouts)) {
    case 0: return [user(`${instr}\n\n${doc}`)];
    case 1: return [user(`${instr}\n\n${hdr}\n${doc}`)];
    case 2: return [user(`${doc}\n\n${instr}`)];
    case 3: return [sys(pick(PREAMBLES) + instr), user(doc)];
    case 4: return [user(rnd() < 0.5 ? `${instr} "${doc}"` : `${instr.replace(/[.:?]$/, '')}: ${doc}`)];
    case 5: { const w = pick(WARMUPS); return [user(w[0]), asst(w[1]), user(doc), asst('Got it. What would you like me to do with it?'), user(instr)]; }
    case 6: return [user(`${instr}\n\n\`\`\`\n${doc}\n\`\`\``)];
    case 7: return [user(`${hdr}\n${doc}\n\n${instr}`)];
    default: return [user(`<document>\n${doc}\n</document>\n${instr}`)];
  }
}

// Surface variation of an instruction: politeness, casing, punctuation, trailing remarks.
function vary(instr) {
  let s = instr;
  const r = rnd();
  if (r < 0.12) s = 'Please ' + s.charAt(0).toLowerCase() + s.slice(1);
  else if (r < 0.2) s = 'Could you ' + s.charAt(0).toLowerCase() + s.slice(1).replace(/\.$/, '?');
  else if (r < 0.26) s = 'hey, ' + s.charAt(0).toLowerCase() + s.slice(1);
  if (rnd() < 0.15) s = s.toLowerCase();
  if (rnd() < 0.1) s = s.replace(/[.?!]$/, '');
  const t = rnd();
  if (t < 0.08) s += ' Thanks!';
  else if (t < 0.13) s += ' Be quick.';
  else if (t < 0.17) s += ' No explanation needed.';
  return s;
}

// --- local-kind tasks from templates x documents
for (const [set, local] of [['', T.LOCAL], ['m', M.LOCAL2]]) for (const [task, temps] of Object.entries(local)) {
  temps.forEach((tp, ti0) => {
    const ti = set + ti0;
    const t = typeof tp === 'string' ? { t: tp } : tp;
    const n = t.q ? 16 : 14;
    for (let k = 0; k < n; k++) {
      let doc = docFor(t.lang, t.short);
      let instr = vary(t.t);
      if (t.q) {
        let tries = 0;
        while (!doc.q && tries++ < 10) doc = docFor(t.lang, false);
        if (!doc.q) continue;
        const q = pick(doc.q);
        // short passages too: sometimes only the first sentences of the document
        if (rnd() < 0.3) { const sents = doc.text.split(/(?<=[.!?])\s+/); if (sents.length > 2) doc = { ...doc, text: sents.slice(0, ri(1, 3)).join(' ') }; }
        instr = instr.replace('{q}', /^(According|From|Looking|Secondo|Según|Laut|D'après)/.test(instr) ? q.charAt(0).toLowerCase() + q.slice(1) : q);
        if (instr === q && rnd() < 0.5) { emit(task, ti, [user(`${doc.text}\n\n${q}`)]); continue; }
      }
      emit(task, ti, place(instr, doc.text, !!t.sys, doc.lang));
    }
  });
}

// --- generated label-set classification and field-list extraction prompts (more.mjs)
for (let k = 0; k < 260; k++) {
  const fi = ri(0, M.CLASS_FRAMES.length - 1);
  const instr = M.CLASS_FRAMES[fi].replace('{L}', pick(M.LABEL_SETS)).replace('{X}', pick(M.CLASS_THINGS).replace(/s$/, rnd() < 0.5 ? 's' : ''));
  const doc = docFor(null, rnd() < 0.8);
  emit('classification', `frame${fi}`, rnd() < 0.5 ? [sys(instr), user(doc.text)] : place(instr, doc.text, false, doc.lang));
}
for (let k = 0; k < 200; k++) {
  const fi = ri(0, M.EXTRACT_FRAMES.length - 1);
  const instr = M.EXTRACT_FRAMES[fi].replace('{F}', pick(M.FIELD_SETS));
  const doc = docFor(null, rnd() < 0.3);
  emit('extraction', `frame${fi}`, rnd() < 0.5 ? [sys(instr), user(doc.text)] : place(instr, doc.text, false, doc.lang));
}

for (let k = 0; k < 220; k++) {
  const fi = ri(0, M.REWRITE_FRAMES.length - 1);
  const instr = M.REWRITE_FRAMES[fi].replace('{T}', pick(M.REWRITE_TARGETS));
  const doc = docFor(null, rnd() < 0.4);
  emit('rewrite', `frame${fi}`, rnd() < 0.4 ? [sys(instr), user(doc.text)] : place(instr, doc.text, false, doc.lang));
}
for (let k = 0; k < 240; k++) {
  const i18n = rnd() < 0.3;
  const fi = ri(0, (i18n ? M.JUDGE_FRAMES_I18N : M.JUDGE_FRAMES).length - 1);
  const q = (i18n ? M.JUDGE_FRAMES_I18N : M.JUDGE_FRAMES)[fi].replace('{A}', pick(i18n ? M.JUDGE_ADJ_I18N : M.JUDGE_ADJ));
  const item = pick(ALL_SHORT);
  const r = rnd();
  const text = r < 0.35 ? `${q} "${item}"` : r < 0.55 ? `${q} « ${item} »` : r < 0.8 ? `${q}\n\n${item}` : `${item}\n\n${q}`;
  emit('classification', `judge${i18n ? 'i' : ''}${fi}`, [user(text)]);
}
M.SORT_SETS.forEach((set, si) => {
  for (let k = 0; k < 5; k++) emit('classification', `sort${si}`, [user(pick(M.SORT_FRAMES).replace('{A}', set[0]).replace('{B}', set[1]).replace('{L}', set[2]))]);
});
for (let k = 0; k < 200; k++) {
  const i18n = rnd() < 0.25;
  const qi = ri(0, (i18n ? M.EXTRACT_Q_I18N : M.EXTRACT_Q).length - 1);
  const q = i18n ? M.EXTRACT_Q_I18N[qi] : M.EXTRACT_Q[qi].replace('{T}', pick(M.EXTRACT_T));
  const doc = docFor(null, rnd() < 0.3);
  emit('extraction', `q${i18n ? 'i' : ''}${qi}`, place(q, doc.text, false, doc.lang));
}
for (const [task, temps] of Object.entries(M.NUM_LIST_TASKS))
  temps.forEach((tp, ti) => { for (let k = 0; k < 8; k++) emit(task, `num${ti}`, place(vary(tp), pick(M.NUM_LISTS), true, 'en')); });
M.TRANSLATE_FRAMES.forEach((fr, fi) => {
  for (let k = 0; k < 6; k++) {
    const d = rnd() < 0.6 ? pick(M.OTHER_SCRIPT_DOCS).t : pick(ALL_SHORT);
    emit('rewrite', `tr${fi}`, [user(fr.replace('{D}', d))]);
  }
});
M.ROLEPLAY_SETUPS.forEach((setup, si) => {
  for (let k = 0; k < 6; k++) {
    const msgs = [sys(setup), user(pick(M.ROLEPLAY_MOVES))];
    if (rnd() < 0.4) msgs.push(asst('The air is cold and something moves in the shadows ahead.'), user(pick(M.ROLEPLAY_MOVES)));
    emit('creative', `rp${si}`, msgs);
  }
});

// --- literal prompts (more.mjs): each its own group, sometimes behind a system prompt or an earlier exchange
const SYSTEMS = ['You are a helpful assistant.', 'Answer concisely.', 'You are a friendly assistant for our company intranet.',
  'Be brief and accurate.', 'You are an AI assistant. Reply in the language of the user.'];
for (const [task, list] of [['open_qa', [...M.OPEN_QA2, ...M.OPEN_QA3]], ['creative', [...M.CREATIVE2, ...M.CREATIVE3]],
  ['reasoning', [...M.REASONING2, ...M.REASONING3, ...M.REASONING4]], ['code', [...M.CODE2, ...M.CODE3, ...M.CODE4]], ['chat', [...M.CHAT2, ...M.CHAT3]]]) {
  list.forEach((text, i) => {
    const g = `lit${i}`;
    emit(task, g, [user(text)]);
    const r = rnd();
    const t2 = task === 'chat' ? text : vary(text);
    if (r < 0.35) emit(task, g, [sys(pick(SYSTEMS)), user(t2)]);
    else if (r < 0.6) emit(task, g, [user(pick(T.CHAT.greet)), asst(pick(T.CHAT_ASSIST)), user(t2)]);
    else if (r < 0.8) emit(task, g, [user(t2.toLowerCase())]);
  });
}

// --- chat
for (const [kind, lines] of Object.entries(T.CHAT)) {
  lines.forEach((line, i) => {
    const g = `${kind}${i % 4}`;
    emit('chat', g, [user(line)]);
    if (rnd() < 0.6) emit('chat', g, [sys('You are a friendly assistant.'), user(line)]);
    const a = pick(T.CHAT_ASSIST);
    emit('chat', g, [user(pick(T.CHAT.greet)), asst(a), user(line)]);
    if (kind === 'follow' || kind === 'thanks')
      emit('chat', g, [user(`What is ${pick(T.TOPICS)}?`), asst('Here is a short explanation: it is a broad subject, and the key idea is how its parts interact over time.'), user(line)]);
  });
}

// --- open_qa, creative: templates x topics
function fromTopics(task, temps, per) {
  temps.forEach((tp, ti) => {
    for (let k = 0; k < per; k++) {
      const text = tp.replace('{t}', pick(T.TOPICS));
      emit(task, ti, rnd() < 0.2 ? [sys(pick(['You are a helpful assistant.', 'You are a knowledgeable tutor.', 'Answer concisely.'])), user(text)] : [user(text)]);
    }
  });
}
fromTopics('open_qa', T.OPEN_QA, 6);
fromTopics('creative', T.CREATIVE, 8);
T.CREATIVE_DOC.forEach((tp, ti) => { for (let k = 0; k < 10; k++) emit('creative', `doc${ti}`, place(tp, docFor(null, false).text, false, 'en')); });

// --- reasoning
T.REASONING_GEN.forEach((gen, gi) => { for (let k = 0; k < 8; k++) emit('reasoning', gi, [user(gen(ri))]); });
T.REASONING_DOC.forEach((tp, ti) => {
  for (let k = 0; k < 10; k++) {
    const rows = ['Region,2022,2023', `North,${ri(100, 900)},${ri(100, 900)}`, `South,${ri(100, 900)},${ri(100, 900)}`, `East,${ri(100, 900)},${ri(100, 900)}`].join('\n');
    emit('reasoning', `doc${ti}`, place(tp, rows, false, 'en'));
  }
});

// --- code
T.CODE_GEN.forEach((tp, ti) => { for (let k = 0; k < 8; k++) emit('code', `gen${ti}`, [user(tp.replace('{l}', pick(T.CODE_LANGS)).replace('{c}', pick(T.CODE_TASKS)))]); });
T.CODE_DOC.forEach((tp, ti) => {
  for (let k = 0; k < 8; k++) {
    const c = pick(CODE);
    const fenced = rnd() < 0.7 ? `\`\`\`${c.lang}\n${c.t}\n\`\`\`` : c.t;
    emit('code', `doc${ti}`, rnd() < 0.5 ? [user(`${tp}\n\n${fenced}`)] : [user(`${fenced}\n\n${tp}`)]);
  }
});
T.CODE_PLAIN.forEach((tp, ti) => emit('code', `plain${ti % 4}`, [user(tp)]));
T.AGENT_ASKS.forEach((tp, ti) => {
  emit('code', 'agent', [sys('You are a software engineering agent working in a git repository. Use the tools to inspect and change files.'), user(tp)], { tools: T.AGENT_TOOLS });
  emit('code', 'agent', [user(tp)], { tools: T.AGENT_TOOLS.slice(0, 1 + (ti % 3)) });
});


// --- breadth (broad.mjs): each frame is its own group, so the held-out split takes whole frames
for (let k = 0; k < 160; k++) {
  const ai = ri(0, B.SYS_LABEL_ASK.length - 1);
  const s = `${pick(B.SYS_ROLES)} ${B.SYS_LABEL_ASK[ai].replace('{L}', pick(B.SYS_LABELS))}`;
  const item = rnd() < 0.6 ? pick(B.POSTS) : pick(ALL_SHORT);
  const msgs = [sys(s), user(item)];
  if (rnd() < 0.2) msgs.push(asst(pick(B.SYS_LABELS).split(/[ /,]/)[0]), user(pick(B.POSTS)));
  emit('classification', `bsys${ai}`, msgs);
}
for (let k = 0; k < 120; k++) {
  const fi = ri(0, B.OR_FRAMES.length - 1);
  const [a, b] = pick(B.OR_PAIRS);
  const item = rnd() < 0.6 ? pick(B.OR_ITEMS) : pick(ALL_SHORT);
  emit('classification', `bor${fi}`, [user(B.OR_FRAMES[fi].replace('{A}', a).replace('{B}', b).replace('{I}', item))]);
}
for (let k = 0; k < 60; k++) {
  const fi = ri(0, B.RATE_FRAMES.length - 1);
  const [lo, hi] = pick(B.RATE_SCALES);
  const n = pick([3, 5, 10]);
  const items = [];
  for (let i = 0; i < ri(3, 6); i++) items.push(pick(B.RATE_ITEMS));
  const list = items.map((x, i) => (rnd() < 0.5 ? `${String.fromCharCode(97 + i)}) ${x}` : `${i + 1}. ${x}`)).join('\n');
  emit('classification', `brate${fi}`, [user(`${B.RATE_FRAMES[fi].replace('{lo}', lo).replace(/\{hi\}/g, hi).replace(/\{n\}/g, n)}\n${list}`)]);
}
for (let k = 0; k < 120; k++) {
  const fi = ri(0, B.EXTRACT_WHAT.length - 1);
  const q = B.EXTRACT_WHAT[fi].replace('{T}', pick(B.EXTRACT_WHAT_T));
  const doc = rnd() < 0.6 ? pick(B.PROCEDURES) : docFor(null, false).text;
  emit('extraction', `bwhat${fi}`, place(q, doc, false, 'en'));
}
for (let k = 0; k < 160; k++) {
  const fi = ri(0, B.SUMM_ASKS.length - 1);
  const doc = rnd() < 0.45 ? pick(B.THREADS) : docFor(null, false).text;
  emit('summarization', `bask${fi}`, place(B.SUMM_ASKS[fi], doc, false, 'en'));
}
for (let k = 0; k < 60; k++) {
  const fi = ri(0, B.SUMM_SYS.length - 1);
  const [x, y] = pick(B.SUMM_SYS_X);
  const doc = docFor(null, false).text;
  emit('summarization', `bsys${fi}`, [sys(B.SUMM_SYS[fi].replace('{X}', x).replace('{Y}', y)), user(doc)]);
}
for (let k = 0; k < 100; k++) {
  const fi = ri(0, B.REWRITE_FORM_FRAMES.length - 1);
  const d = rnd() < 0.6 ? pick(B.STEP_NOTES) : pick(ALL_SHORT);
  emit('rewrite', `bform${fi}`, [user(B.REWRITE_FORM_FRAMES[fi].replace('{D}', d))]);
}
for (let k = 0; k < 160; k++) {
  const fi = ri(0, B.QA_FRAMES.length - 1);
  const d = pick(B.QA_DOCS);
  const q = B.QA_FRAMES[fi].replace('{k}', d.k).replace('{q}', pick(d.q));
  const r = rnd();
  emit('closed_qa', `bqa${fi}`, r < 0.5 ? [user(`${q}\n\n${d.t}`)] : r < 0.8 ? [user(`${d.t}\n\n${q}`)] : [sys(`Answer only from this ${d.k}:\n${d.t}`), user(q)]);
}
for (let k = 0; k < 100; k++) {
  const fi = ri(0, B.IDEA_ASKS.length - 1);
  const c = pick(B.IDEA_CONTEXTS);
  emit('creative', `bidea${fi}`, [user(c ? `${c} ${B.IDEA_ASKS[fi]}` : B.IDEA_ASKS[fi])]);
}
for (let k = 0; k < 80; k++) {
  const fi = ri(0, B.NUM_ASKS.length - 1);
  emit('reasoning', `bnum${fi}`, [user(B.NUM_ASKS[fi](ri(100, 99999), ri(3, 60)))]);
}
B.CODE_ASKS.forEach((text, i) => {
  emit('code', `bask${i % 6}`, [user(text)]);
  if (rnd() < 0.5) emit('code', `bask${i % 6}`, [sys(pick(SYSTEMS)), user(text.toLowerCase())]);
});

fs.mkdirSync(outDir, { recursive: true });
let total = 0;
for (const [task, lines] of Object.entries(files)) {
  fs.writeFileSync(path.join(outDir, `${task}.jsonl`), lines.join('\n') + '\n');
  console.log(`${task.padEnd(15)} ${lines.length}`);
  total += lines.length;
}
console.log(`wrote ${total} examples to ${outDir}`);
