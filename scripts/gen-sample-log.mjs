#!/usr/bin/env node
// Writes a synthetic API log of OpenAI request/response JSONL lines (the shape most proxies write),
// deterministic for a given seed: a mix of repeated prompt templates (classification, extraction,
// summarization, rewrite, closed QA, open questions, creative, reasoning, code, chat), several models
// (one without a price), workflows in metadata.app and user, synthetic sensitive data (test card and
// IBAN numbers, example.com addresses), timestamps over a week, logged usage with cached tokens.
//   node scripts/gen-sample-log.mjs [--count N | --bytes N] [--seed S] [--bad N] [--out FILE]
// examples/sample-log.jsonl is `node scripts/gen-sample-log.mjs --count 400 --bad 1 --out examples/sample-log.jsonl`.
// bench/audit.sh writes a 1 GB log with --bytes into /tmp.
import fs from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const count = Number(opt('count', 400));
const bytesTarget = Number(opt('bytes', 0));
let seed = Number(opt('seed', 42)) >>> 0;
const bad = Number(opt('bad', 0));
const outPath = opt('out', '-');

function rnd() { // mulberry32
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

const first = ['Maria', 'John', 'Aisha', 'Kenji', 'Lena', 'Carlos', 'Priya', 'Tom', 'Fatima', 'Olga', 'Samuel', 'Mei'];
const last = ['Keller', 'Smith', 'Okafor', 'Tanaka', 'Novak', 'Garcia', 'Sharma', 'Brown', 'Haddad', 'Ivanova', 'Mensah', 'Chen'];
const products = ['the Pro plan', 'the mobile app', 'invoice export', 'the API', 'single sign-on', 'the dashboard', 'billing'];
const issues = ['I was charged twice this month', 'the app crashes when I upload a photo', 'I cannot reset my password',
  'the export is missing the last week', 'please cancel my subscription', 'the invoice shows the wrong VAT number',
  'login fails with error 503 since this morning', 'how do I add a second admin to the account'];
const topics = ['quarterly revenue', 'the new onboarding flow', 'warehouse staffing', 'the data retention policy',
  'the migration to the new CRM', 'supplier delays in Asia', 'the customer satisfaction survey'];
const cities = ['Lisbon', 'Nairobi', 'Osaka', 'Denver', 'Krakow', 'Lima', 'Pune'];
const langs = ['Python', 'TypeScript', 'Go', 'Rust', 'SQL', 'Bash'];
const person = () => `${pick(first)} ${pick(last)}`;
const email = (n) => `${n.toLowerCase().replace(' ', '.')}@example.com`;
const phone = () => `+1 415 555 0${int(100, 199)}`;
const para = (n) => Array.from({length: n}, () => `${pick(['The team', 'Our client', 'The vendor', 'Management', 'The committee'])} ${pick(['reviewed', 'discussed', 'approved', 'postponed', 'questioned'])} ${pick(topics)} on ${pick(['Monday', 'Tuesday', 'Thursday'])}, noting ${int(2, 40)} open items and a budget of ${int(10, 900)}k.`).join(' ');

// each template: app, share weight, models, builder -> {system?, user, answer}
const templates = [
  {app: 'support-triage', w: 14, models: ['gpt-4o', 'gpt-4o-mini'], make: () => {
    const who = person();
    return {system: 'You are a support triage assistant. Answer with one label only.',
      user: `Classify this support ticket as billing, technical or account.\n\nTicket: ${pick(issues)}. Regards, ${who} (${email(who)})`,
      answer: pick(['billing', 'technical', 'account'])};
  }},
  {app: 'invoices', w: 12, models: ['gpt-4o'], make: () => {
    const who = person();
    return {user: `Extract the invoice number, date, total and IBAN as JSON from this email:\n\nDear team, please find invoice INV-${int(10000, 99999)} dated 2025-0${int(1, 9)}-1${int(0, 9)} for EUR ${int(100, 9000)}.${int(10, 99)}. Pay to IBAN DE89 3704 0044 0532 0130 00. Best, ${who}, ${phone()}`,
      answer: `{"invoice":"INV-${int(10000, 99999)}","total":${int(100, 9000)},"iban":"<redacted>"}`};
  }},
  {app: 'meeting-notes', w: 10, models: ['gpt-4.1', 'claude-3-5-sonnet-20241022'], make: () => ({
    system: 'You summarize internal documents for busy managers.',
    user: `Summarize the following meeting notes in three bullet points:\n\n${para(int(4, 12))}`,
    answer: `- ${pick(topics)} was discussed\n- ${int(2, 9)} actions agreed\n- next review in ${int(1, 4)} weeks`})},
  {app: 'marketing', w: 8, models: ['gpt-4o-mini'], make: () => ({
    user: `Rewrite this product description to be friendlier and under 50 words: "${pick(products)} lets teams in ${pick(cities)} manage ${pick(topics)} with ${int(2, 30)} integrations and role-based access."`,
    answer: `Meet ${pick(products)}: the easy way to handle ${pick(topics)}, with everything connected.`})},
  {app: 'hr-assistant', w: 8, models: ['gpt-4o-mini', 'gpt-4.1-mini'], make: () => ({
    system: 'Answer only from the policy text the user gives. If the answer is not there, say so.',
    user: `Policy: Employees accrue ${int(20, 30)} days of paid leave per year. Unused days up to ${int(3, 10)} carry over to the next year. Requests need manager approval ${int(1, 4)} weeks ahead.\n\nQuestion: how many unused days carry over?`,
    answer: `Up to ${int(3, 10)} days carry over.`})},
  {app: 'kyc', w: 5, models: ['gpt-4o'], make: () => {
    const who = person();
    return {user: `Check this customer record for missing fields and list them: name ${who}, email ${email(who)}, phone ${phone()}, card 4111 1111 1111 1111, SSN 536-22-${int(1000, 9999)}, address: ${int(1, 200)} Market Street, ${pick(cities)}`,
      answer: 'Missing: date of birth, postal code.'};
  }},
  {app: 'research', w: 9, models: ['gpt-4.1', 'o3-mini', 'claude-sonnet-4-20250514'], make: () => ({
    user: pick(['What were the main causes of the 2008 financial crisis, and could it happen again?',
      'Explain how mRNA vaccines work and why they were developed so quickly.',
      'Compare the economic policies of Keynes and Hayek and their influence today.',
      `What is the history of ${pick(cities)} and what is it known for?`,
      'Why is the sky blue, and why are sunsets red?']),
    answer: para(int(3, 8))})},
  {app: 'content', w: 6, models: ['gpt-4o', 'claude-3-7-sonnet-20250219'], make: () => ({
    user: `Write a short story about a lighthouse keeper in ${pick(cities)} who finds a ${pick(['message in a bottle', 'stray dog', 'lost map', 'radio signal'])}.`,
    answer: para(int(6, 14))})},
  {app: 'analytics', w: 6, models: ['o3-mini', 'gpt-4.1'], make: () => ({
    user: `A warehouse ships ${int(120, 900)} parcels a day with ${int(4, 20)} staff. Demand will grow ${int(5, 40)}% next quarter and each new hire takes 3 weeks to train. Plan the hiring schedule step by step and justify it.`,
    answer: para(int(5, 10))})},
  {app: 'dev-tools', w: 9, models: ['gpt-4.1', 'claude-sonnet-4-20250514', 'mistral-large-latest'], make: () => ({
    user: `Write a ${pick(langs)} function that ${pick(['parses an ISO 8601 date', 'deduplicates a list while keeping order', 'retries an HTTP call with exponential backoff', 'reads a CSV file and sums a column', 'validates an email address'])}, with tests.`,
    answer: '```\n' + 'def f(x):\n    return x\n'.repeat(int(2, 8)) + '```'})},
  {app: 'assistant', w: 7, models: ['gpt-4o-mini', 'gpt-4o'], make: () => ({
    system: 'You are a friendly assistant for employees.',
    user: pick(['hi! how are you today?', 'thanks, that helped a lot', 'can you tell me a joke about databases?',
      'what should I cook tonight?', 'good morning!']),
    answer: pick(['Doing well, thanks! How can I help?', 'Glad it helped!', 'Why did the database break up? Too many relationships.'])})},
  {app: 'translation', w: 6, models: ['gpt-4o-mini'], make: () => ({
    user: `Translate to French: "Your order ${int(100000, 999999)} has shipped and will arrive in ${int(2, 9)} days."`,
    answer: `Votre commande a été expédiée et arrivera dans ${int(2, 9)} jours.`})},
  {app: 'assistant', w: 6, models: ['gpt-4o-mini', 'gpt-4.1'], make: () => {
    // one-off questions: (almost) every one is its own template
    const words = ['river', 'budget', 'garden', 'printer', 'contract', 'winter', 'engine', 'museum', 'recipe', 'satellite',
      'violin', 'harbor', 'glacier', 'ledger', 'pigeon', 'compass', 'lantern', 'orchard', 'tunnel', 'canvas'];
    const q = Array.from({length: int(6, 14)}, () => pick(words)).join(' ');
    return {user: `${pick(['why does', 'how can a', 'what makes the', 'is there a way to make the'])} ${q} ${pick(['work?', 'change over time?', 'matter for a small team?', 'fail so often?'])}`,
      answer: para(int(1, 3))};
  }},
];
const totalW = templates.reduce((s, t) => s + t.w, 0);
const users = ['u-1001', 'u-1002', 'u-1003', 'u-2001', 'u-2002', 'svc-batch'];
const t0 = Date.UTC(2025, 6, 1) / 1000;

function record(i) {
  let r = rnd() * totalW, t = templates[0];
  for (const x of templates) { if ((r -= x.w) < 0) { t = x; break; } }
  const p = t.make();
  const model = pick(t.models);
  const messages = [];
  if (p.system) messages.push({role: 'system', content: p.system});
  messages.push({role: 'user', content: p.user});
  const promptTokens = Math.ceil(((p.system || '').length + p.user.length) / 4) + 4 * messages.length + int(0, 6);
  const completionTokens = Math.ceil(p.answer.length / 4) + int(0, 4);
  const cached = p.system && rnd() < 0.5 ? Math.min(promptTokens, 64) : 0;
  const created = Math.floor(t0 + (i / Math.max(count, 1)) * 7 * 86400 + int(0, 600));
  return {
    request: {model, messages, user: pick(users), metadata: {app: t.app}},
    response: {
      id: `chatcmpl-${i.toString(36)}${int(1000, 9999)}`, object: 'chat.completion', created, model,
      choices: [{index: 0, message: {role: 'assistant', content: p.answer}, finish_reason: 'stop'}],
      usage: {prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: {cached_tokens: cached}},
    },
  };
}

const out = outPath === '-' ? process.stdout : fs.createWriteStream(outPath);
let written = 0, i = 0;
const n = bytesTarget > 0 ? Infinity : count;
function pump() {
  let ok = true;
  while (ok && i < n && (bytesTarget === 0 || written < bytesTarget)) {
    let batch = '';
    for (let k = 0; k < 256 && i < n && (bytesTarget === 0 || written + batch.length < bytesTarget); k++, i++)
      batch += JSON.stringify(record(i)) + '\n';
    written += batch.length;
    ok = out.write(batch);
  }
  if (i < n && (bytesTarget === 0 || written < bytesTarget)) { out.once('drain', pump); return; }
  // a few damaged lines, as real logs have: one cut off mid-record
  let tail = '';
  for (let k = 0; k < bad; k++) tail += JSON.stringify(record(i + k)).slice(0, 90) + '\n';
  if (outPath === '-') out.write(tail); else out.end(tail);
}
pump();
