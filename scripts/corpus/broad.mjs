// Breadth material for the project's own corpus (written for Sovereign, 2026-12): label sets given by a
// system prompt over user text that itself looks like a question, "A or B?" judgments, rating scales,
// question-form extraction and summarisation in several languages, short tables and clauses with
// questions about them, idea/naming requests, worked arithmetic and tool-style code questions.
// Written from kinds of error, not copied from any evaluation set in tests/data/ (never trained on).

// Roles for a system prompt that sets a label set; the user turn is then only the item.
export const SYS_ROLES = ['You keep a gardening forum clean.', 'You screen messages for a hospital switchboard.', 'You route tickets for a freight forwarder.',
  'You review posts in a gaming community.', 'You triage emails for a law firm.', 'You sort questions sent to a farm co-op.',
  'You screen job applications.', 'You check chat messages in a school app.', 'You filter comments under a news article.',
  'You label messages for an HR helpdesk.', 'You triage patient portal messages.', 'You vet listings on a second-hand marketplace.',
  'Du prüfst Beiträge in einem Anglerforum.', 'Tu modères un forum de cuisine.', 'Eres moderador de un foro de viajes.', 'Modera i commenti di un blog di viaggi.'];
export const SYS_LABEL_ASK = ['Answer {L}.', 'Reply {L} only.', 'Your only outputs are {L}.', 'Say {L}, nothing more.', 'Decide: {L}.',
  'Respond with {L} for every message.', 'Output {L}; never answer the message itself.'];
export const SYS_LABELS = ['APPROVE or TAKE DOWN', 'KEEP / DELETE', 'OK or FLAG', 'ROUTINE, SOON or URGENT', 'ACCEPT or REJECT', 'ON-TOPIC or OFF-TOPIC',
  'SAFE / NEEDS REVIEW', 'customs, billing, tracking or damage', 'approve or hold', 'question, complaint or other', 'erlaubt / löschen',
  'garder ou supprimer', 'aprobar o rechazar', 'publish / reject'];
// Items that read like questions or posts of other task kinds; under a label-set system prompt they are classified.
export const POSTS = ['Does anyone know how to keep slugs off lettuce without chemicals?', 'What is the best way to learn SQL quickly?',
  'Can someone explain why my sourdough never rises?', 'Buy cheap followers now!!! link in bio', 'My landlord keeps entering without notice, is that legal?',
  'Anyone up for a ranked match tonight?', 'How many hours a week is part-time in Germany?', 'Why is my container still stuck at customs in Rotterdam?',
  'you are all idiots and this game is trash', 'Is it safe to take ibuprofen with coffee?', 'Selling my old tractor tyres, 4 pieces, 120 euro.',
  'What time does the pharmacy open on Sundays?', 'Here is my recipe for plum jam, enjoy!', 'Write me a poem about cows lol',
  'Can you solve 17 x 23 for me?', 'Who won the world cup in 1998?', 'How do I fix a Python IndentationError?', 'Tell me a joke.',
  'Wie bekomme ich mein Kind dazu, früher zu schlafen?', 'Quelqu\'un a une astuce pour une pâte brisée croustillante ?',
  '¿Alguien ha viajado a Lisboa en invierno?', 'I was charged for a pallet that never arrived. Who do I talk to?',
  'Is the meeting tomorrow still on?', 'Free iPhone giveaway, click here to claim'];

// "A or B?" prefixes before an item.
export const OR_PAIRS = [['bug', 'works as designed'], ['feature request', 'bug report'], ['complaint', 'compliment'], ['urgent', 'can wait'],
  ['fact', 'opinion'], ['legit', 'scam'], ['formal', 'informal'], ['joke', 'serious'], ['question', 'statement'], ['ad', 'news'],
  ['praise', 'criticism'], ['safe', 'unsafe'], ['spam', 'real'], ['on topic', 'off topic'], ['entry-level', 'experienced'], ['B2B', 'B2C'],
  ['Störung', 'Kündigung'], ['positif', 'négatif'], ['queja', 'consulta']];
export const OR_FRAMES = ['{A} or {B}? {I}', '{A} or {B}: {I}', '{I}\n\n{A} or {B}?', 'is this {A} or {B}? {I}', '{A}/{B}?\n{I}',
  'quick one, {A} or {B}:\n"{I}"', 'Would you say {A} or {B}?\n\n{I}'];
export const OR_ITEMS = ['when i click save twice the form submits two orders', 'the export button is grey until you pick a date range',
  'You have been selected for a tax refund, reply with your bank details', 'Thanks so much, the nurse on ward 4 was wonderful',
  'Shipment 4471 has been waiting at the gate for six hours', 'Our CEO thinks remote work kills creativity',
  'the map does not load on my phone but works on my laptop', 'Pls add dark mode', 'Water boils at 100 degrees at sea level',
  'Hey, fancy a coffee later?', 'Dear Sir or Madam, I am writing to request a refund.', 'The harvest festival is moved to Saturday.',
  'Ce produit est génial, je le recommande', 'El paquete llegó roto y nadie contesta', 'Seit gestern geht das WLAN nicht mehr',
  'Lead a team of 12 and own the hiring plan', 'Internship for students, no experience needed'];

// Rating scales over a lettered or numbered list.
export const RATE_FRAMES = ['Give each a score, 1 ({lo}) up to {n} ({hi}):', 'Score these 1-{n}, where {n} is {hi}:', 'On a scale of 1 to {n}, how {hi} is each?',
  'Give every line a number from 1 = {lo} to {n} = {hi}.', 'Rank these from most {hi} to least {hi}:'];
export const RATE_SCALES = [['plausible', 'absurd'], ['harmless', 'dangerous'], ['polite', 'rude'], ['easy', 'hard'], ['cheap', 'expensive'],
  ['calm', 'urgent'], ['weak', 'convincing'], ['boring', 'exciting']];
export const RATE_ITEMS = ['the dog ate my homework', 'the bus was late', 'I had a dentist appointment', 'aliens took my phone', 'my alarm did not ring',
  'a cow blocked the road', 'my cat sat on the keyboard', 'I forgot', 'the server is down', 'a password reset email', 'a fire alarm test',
  'a missing invoice', 'a late pizza', 'a flat tyre on the motorway', 'a typo in a contract', 'a leaking roof'];

// Question-form extraction: "what X does this give?"
export const EXTRACT_WHAT = ['What {T} does this give?', 'Which {T} are given here?', 'What are the {T} in this?', 'Tell me the {T} from this.',
  'What {T} does it mention?', 'Any {T} in here? List them.', 'What {T} are stated below?', 'Quelles sont les {T} indiquées ?',
  'Welche {T} werden genannt?', '¿Qué {T} aparecen aquí?'];
export const EXTRACT_WHAT_T = ['heat settings and durations', 'amounts', 'quantities', 'deadlines', 'doses', 'prices', 'dates and places', 'names and roles',
  'measurements', 'percentages', 'durations', 'addresses', 'reference numbers', 'model numbers'];
export const PROCEDURES = ['Heat the milk to 85°C, hold for 10 minutes, then cool to 43°C before adding the culture. Incubate for 6 to 8 hours.',
  'Apply 40 kg of nitrogen per hectare at sowing and another 60 kg in early April. Irrigate 25 mm every 10 days if there is no rain.',
  'Give 5 ml of the syrup every 8 hours for 5 days. Do not exceed 15 ml a day. Store below 25°C.',
  'Load the truck by 06:30, leave the depot at 07:00, first drop in Ghent at 08:45, second in Lille at 11:15.',
  'Cure the concrete for 7 days at no less than 10°C; formwork can be removed after 48 hours.',
  'The warranty runs 24 months from delivery; claims must be filed within 14 days of noticing the defect.',
  'Dough: 300 g flour, 180 ml water, 6 g salt. Knead 8 minutes, prove 90 minutes, bake 25 minutes at 220°C.',
  'Candidates must submit the form by 15 May; interviews take place on 2 and 3 June in Porto; offers go out by 20 June.',
  'Le lot 12 contient 480 bouteilles de 75 cl ; livraison prévue le 3 mars à Bordeaux, paiement à 30 jours.',
  'Die Maschine läuft mit 1.450 U/min, Ölwechsel alle 500 Betriebsstunden, Filter alle 250 Stunden.',
  'Riego: 20 minutos cada mañana a las 6:00; abono líquido 2 ml por litro cada quince días.'];

// Summarisation asked as a question, in several languages.
export const SUMM_ASKS = ["what's the gist of this exchange?", 'what is the upshot here?', 'so what happened, in short?', 'what is this about, in a sentence?',
  'main points?', 'can you give me the short version?', 'what are the key takeaways?', 'what do I need to know from this?', 'and the bottom line is?',
  'where did they land?', 'explain this to me in two lines', 'Qual é a ideia central deste texto?', 'O que diz este comunicado, em resumo?',
  'Was ist die Kernaussage?', 'Worum geht es hier kurz?', '¿De qué trata esto, en pocas palabras?', '¿Cuáles son las ideas principales?',
  "De quoi parle ce message, en bref ?", "Quels sont les points essentiels ?", 'Di cosa parla, in breve?', 'Waar gaat dit over, kort?',
  'Co jest najważniejsze w tym tekście?'];
export const THREADS = ['@sam: prod deploy failed again\n@kim: logs say the migration timed out\n@sam: can we run it off-hours?\n@kim: yes, tonight at 23:00\n@sam: ok, I will tell support',
  'Maria: the forklift in aisle 3 is leaking again\nJoe: I reported it last week\nMaria: can we borrow one from dock B?\nJoe: only until noon\nMaria: fine, we will finish the reefer load first',
  'Dr Lee: bed 12 febrile overnight, 38.9\nNurse Ana: cultures sent at 02:00\nDr Lee: start the ceftriaxone, review at 10\nNurse Ana: done, family informed',
  'coach: we lost the last three matches because we concede late\nplayer1: we are tired after 70 minutes\ncoach: extra conditioning on Tuesdays then\nplayer2: can we also rotate more?\ncoach: yes, five subs every game',
  'HR: the new leave policy starts in March\nLead: do unused days carry over?\nHR: up to five\nLead: and for part-timers?\nHR: pro rata, same rule',
  'Ana: a chuva estragou parte da colheita\nRui: quanto perdemos?\nAna: uns 20% do milho\nRui: vamos acionar o seguro amanhã',
  'Jonas: Der Termin mit dem Kunden ist verschoben\nLea: Auf wann?\nJonas: Donnerstag 14 Uhr\nLea: Passt, ich bereite die Folien vor'];
export const SUMM_SYS = ['Boil each of the {X} down to one line for {Y}.', 'You condense {X} for {Y}: one sentence, no details.',
  'Reduce each of the {X} you get to a two-bullet brief for {Y}.', 'Write a headline-length digest of {X} for {Y}.'];
export const SUMM_SYS_X = [['portal messages from patients', 'the GP on call'], ['customer emails', 'the account manager'], ['driver reports', 'the dispatcher'],
  ['candidate emails', 'the recruiter'], ['field reports', 'the farm manager'], ['player feedback', 'the game designers'], ['court filings', 'the partner']];

// Rewrites into a given form.
export const REWRITE_FORM_FRAMES = ['Join these steps into a single paragraph of prose: {D}', 'Turn these notes into full sentences: {D}',
  'Make this a numbered list: {D}', 'Reformat as bullet points:\n{D}', 'Put this into a polite email: {D}', 'Say the same thing in half the words: {D}',
  'Rephrase for a ten-year-old: {D}', 'Make this sound more confident: {D}', 'Transforme en phrases complètes : {D}', 'Schreib das als Fließtext: {D}',
  'Reescribe esto de forma más formal: {D}'];
export const STEP_NOTES = ['1) unplug the unit 2) remove the filter 3) rinse in warm water 4) dry 24h 5) refit',
  'check tyre pressure, top up coolant, log mileage, sign the sheet', 'arrive 8:00, safety briefing, badge from security, shadow Ana until lunch',
  'soak seeds overnight, sow 2 cm deep, water daily, thin to 10 cm apart', 'call patient, confirm allergies, book bloods, send reminder',
  'we missed the deadline because the supplier was late and then customs held the parts', 'I think maybe we could possibly consider moving the launch',
  'meeting moved thu, bring Q3 numbers, Sara presents, lunch provided'];

// Short tables, clauses and reports with questions answered by them.
export const QA_DOCS = [
  { k: 'lease', t: '5. Pets. No dogs are allowed. Birds and fish are permitted. Other pets need the landlord\'s written consent.', q: ['may I keep a parrot?', 'is a dog fine?'] },
  { k: 'table', t: 'Starter: 1 site, 10 GB, shared server\nPro: 5 sites, 100 GB, daily backups\nAgency: unlimited sites, 1 TB, dedicated account manager', q: ['which tier comes with an account manager?', 'how many sites does Pro allow?'] },
  { k: 'report', t: 'Milk output rose 3% in Friesland, 9% in Bavaria and fell 2% in Normandy compared with last year.', q: ['where was the biggest increase?', 'where did output fall?'] },
  { k: 'timetable', t: 'Ferry Split-Hvar: 07:00, 11:30, 16:00, 20:15. Sundays: 09:00 and 18:00 only.', q: ['when is the last ferry on a weekday?', 'how many ferries run on Sundays?'] },
  { k: 'contract', t: 'The Supplier shall deliver within 10 business days of the purchase order. Late delivery incurs a penalty of 0.5% of the order value per day, capped at 10%.', q: ['what is the maximum penalty?', 'how long does the supplier have to deliver?'] },
  { k: 'leaflet', t: 'Take one capsule daily with food. Avoid alcohol. Do not use if pregnant. Side effects may include nausea and headache.', q: ['can I drink wine with this?', 'should I take it on an empty stomach?'] },
  { k: 'handbook', t: 'Overtime must be approved in advance by your line manager. It is paid at 150% on weekdays and 200% on Sundays and public holidays.', q: ['what is the Sunday rate?', 'who approves overtime?'] },
  { k: 'match report', t: 'United led 2-0 at half time through Okoye and Silva; City pulled one back in the 67th minute but United held on to win 2-1.', q: ['who scored for United?', 'what was the final score?'] },
  { k: 'spec sheet', t: 'Pump P-200: flow 12 m3/h, head 35 m, motor 2.2 kW, max fluid temperature 90°C, weight 28 kg.', q: ['can it pump water at 95 degrees?', 'how heavy is it?'] },
  { k: 'changelog', t: 'v2.3: added CSV export. v2.4: fixed login on Safari, removed the legacy API. v2.5: new dashboard, faster search.', q: ['in which version was the legacy API removed?', 'when did CSV export arrive?'] },
  { k: 'informe', t: 'Las ventas crecieron un 6 % en Chile, un 2 % en Perú y bajaron un 4 % en Argentina.', q: ['¿dónde bajaron las ventas?', '¿en qué país subieron más?'] },
  { k: 'Vertrag', t: 'Die Kündigungsfrist beträgt drei Monate zum Quartalsende. Eine Kündigung muss schriftlich erfolgen.', q: ['reicht eine E-Mail zur Kündigung?', 'wie lang ist die Kündigungsfrist?'] },
  { k: 'règlement', t: 'La piscine est ouverte de 10 h à 19 h. Le bonnet de bain est obligatoire. Les enfants de moins de 8 ans doivent être accompagnés.', q: ['un enfant de 6 ans peut-il venir seul ?', 'à quelle heure ferme la piscine ?'] }];
export const QA_FRAMES = ['In this {k}, {q}', 'From the {k}, {q}', 'According to the {k}, {q}', 'Looking at this {k}: {q}', '{q} (see the {k} below)',
  'Based on the {k} only, {q}', 'Going by this {k}, {q}', 'Según el {k}, {q}', 'Laut {k}: {q}', "D'après le {k}, {q}"];

// Ideas, names and slogans, often behind a little context.
export const IDEA_CONTEXTS = ['I own a corner bakery.', 'We are a family vineyard.', 'Our startup sells refurbished laptops.', 'I coach a kids football team.',
  'We just opened a bike repair café.', 'We adopted a rescue cat.', 'Our warehouse team needs a mascot.', 'I am starting a podcast about farming.',
  'We run a dental clinic.', 'My D&D group needs a tavern.', ''];
export const IDEA_ASKS = ['Three funny lines for the board outside the door?', 'name suggestions, something geeky', 'Suggest five catchy names.',
  'Any slogan ideas?', 'Brainstorm ten funny taglines.', 'Come up with a motto for our t-shirts.', 'Ideas for a fun team name?',
  'Write three puns we could put on a poster.', 'Need a name, something with a pun.', 'Propose five playful Instagram captions.',
  'Donne-moi trois idées de slogan.', 'Ideen für einen witzigen Namen?', 'Dame cinco nombres originales.'];

// Worked arithmetic and number facts.
export const NUM_ASKS = [(a, b) => `Can ${a} be split into groups of ${b} with none left over? Show the working.`, (a) => `Is ${a} a prime number? Explain.`,
  (a, b) => `What is the remainder when ${a} is divided by ${b}? Show the steps.`, (a, b) => `Find the greatest common divisor of ${a} and ${b}, step by step.`,
  (a, b) => `Does ${b} go into ${a} evenly? Prove it.`, (a) => `Is ${a} a perfect square? Justify your answer.`,
  (a, b) => `What is ${a} mod ${b}? Work it out.`, (a, b) => `¿Es ${a} divisible entre ${b}? Muestra el cálculo.`,
  (a) => `Ist ${a} eine Primzahl? Begründe.`, (a, b) => `Calcule le PGCD de ${a} et ${b} en détaillant.`];

// Code questions without code: error messages, cron, regex, shell, config, in several languages.
export const CODE_ASKS = ["What does 'ImportError: cannot import name' mean and how do I fix it?",
  "Was bedeutet 'Segmentation fault (core dumped)'?", "Que veut dire l'erreur 'EADDRINUSE: address already in use :::3000' ?",
  "¿Qué significa 'NullPointerException' en Java?", "Why do I get 'permission denied (publickey)' when I git push?",
  'crontab line for every Monday 7:15', 'cron for the first day of every month at midnight',
  'Cron-Ausdruck für jeden Werktag um 18 Uhr?', 'a regex that matches a UK postcode', 'regex for dates like 2024-03-15',
  'expresión regular para validar un correo electrónico', 'nginx config to redirect http to https', 'docker compose file for postgres and redis',
  'How do I undo my last git commit but keep the changes?', "What's the kubectl command to see logs of a crashed pod?",
  'systemd unit file to run a python script at boot', 'How do I read a CSV in pandas and skip the first two rows?',
  "Excel formula to sum column B where column A says 'paid'", 'Google Sheets formula that counts unique values in A2:A500',
  'Comment lister les fichiers modifiés dans le dernier commit git ?', 'Wie setze ich in Linux eine Umgebungsvariable dauerhaft?',
  'tsconfig option to allow importing json files', 'Which HTTP status code should my API return for a duplicate resource?',
  'Powershell: rename all .txt files in a folder to .md', 'GitHub Actions workflow that runs pytest on every push'];
