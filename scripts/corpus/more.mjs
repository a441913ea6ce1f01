// More of the project's own corpus material (written for Sovereign, 2026-12): documents in more domains
// and languages, instruction templates phrased without the obvious keywords, and literal prompts for
// the cloud-kind tasks and chat. gen-corpus.mjs merges these with docs.mjs and templates.mjs.
// None of it is copied from the evaluation sets in tests/data/ (those are never trained on).

export const DOCS2 = [
  { d: 'hr', lang: 'en', q: ['How many days of remote work are allowed per week?', 'Who approves exceptions?'], t:
`Hybrid work guideline (rev. 3). Staff may work remotely up to three days per week once their probation ends. Team leads agree the in-office days with their team each quarter. Exceptions beyond three days need written approval from the department head and HR. Equipment for home offices is reimbursed up to 300 euros every two years against receipts.` },
  { d: 'medical', lang: 'en', q: ['What was the patient prescribed?', 'When is the follow-up?'], t:
`Discharge summary. 58-year-old male admitted with community-acquired pneumonia, treated with IV ceftriaxone for three days, switched to oral amoxicillin-clavulanate. Oxygen saturation normal on room air at discharge. Continue amoxicillin-clavulanate 875/125 mg twice daily for four more days. Follow-up chest X-ray in six weeks with the GP. Return if fever recurs or breathing worsens.` },
  { d: 'ops', lang: 'en', q: ['Which region was affected?', 'What was the root cause?'], t:
`Postmortem: elevated checkout errors, 11 June. Between 14:05 and 14:52 UTC about 7% of checkout requests in the eu-central region returned HTTP 500. A configuration change lowered the connection pool limit of the payments proxy from 200 to 20. The change passed review because the diff showed only a renamed key. Mitigation: the change was reverted at 14:49. Actions: add a canary stage for proxy config, alert on pool saturation.` },
  { d: 'realestate', lang: 'en', q: ['How many bedrooms does the flat have?', 'Is parking included?'], t:
`Bright two-bedroom flat on the third floor of a 1930s building, 74 square metres, recently renovated kitchen, original oak floors, south-facing balcony. Lift, cellar storage unit. Street parking only; a garage space can be rented separately for 90 per month. Available from 1 September, rent 1,480 plus service charges of 160.` },
  { d: 'science', lang: 'en', q: ['What did the researchers measure?', 'How large was the sample?'], t:
`Researchers tracked 312 honeybee colonies across four seasons to test whether proximity to solar farms planted with wildflowers affected colony health. Colonies within two kilometres of such sites had 18% more brood and lower varroa mite counts than colonies near conventional farmland. The authors caution that the sites differed in pesticide use, which they could not fully control for.` },
  { d: 'finance', lang: 'en', q: ['What was the operating margin?', 'What guidance did the company give?'], t:
`Q3 highlights: revenue 48.2 million (+12% year over year), gross margin 61%, operating margin 9% after a one-off restructuring charge of 2.1 million. Cash at quarter end 33 million. Subscription revenue now makes up 74% of the total. The company reiterated full-year revenue guidance of 185 to 190 million and expects a positive free cash flow in Q4.` },
  { d: 'travel', lang: 'en', q: ['What time is check-in?', 'Is breakfast included?'], t:
`Booking confirmation. Hotel Alpenblick, 2 nights, 14-16 February, double room with mountain view. Check-in from 15:00, check-out by 11:00. Breakfast buffet included; half board available for 28 per person per night. Free cancellation until 48 hours before arrival. Ski storage and shuttle to the lifts every 30 minutes in the morning.` },
  { d: 'education', lang: 'en', q: ['How is the course graded?', 'When is the final project due?'], t:
`Course syllabus, Introduction to Statistics. Weekly problem sets count for 30% of the grade, two midterm quizzes for 30%, and a final data-analysis project for 40%. The project proposal is due in week 6 and the final report on 12 December. Late work loses 10% per day. Office hours are Tuesdays 2-4 pm in room B214.` },
  { d: 'product', lang: 'en', q: ['How long does the battery last?', 'Is it waterproof?'], t:
`Trailrunner GPS watch. 1.3-inch transflective display, multi-band GPS, heart-rate and blood-oxygen sensors. Battery life: up to 14 days in smartwatch mode, 30 hours with GPS on. Water rated to 5 ATM (swimming, not diving). Weighs 49 g. Charges in about two hours with the magnetic cable. Syncs with iOS and Android.` },
  { d: 'legal', lang: 'en', q: ['How long does the confidentiality obligation last?', 'What is excluded from confidential information?'], t:
`Mutual non-disclosure agreement, clause 4. Each party shall keep the other's Confidential Information secret and use it only to evaluate the proposed partnership. This obligation survives for three years after the end of discussions. Confidential Information does not include information that is public through no fault of the recipient, was already known to it, or is independently developed.` },
  { d: 'email', lang: 'en', q: ['What is the new deadline?', 'What does Tom need from the team?'], t:
`Hi all, quick update on the grant application: the funder has extended the deadline to 21 October, so we have an extra week. I still need the budget justification from Priya and the two letters of support, ideally by Monday. I'll circulate a full draft on Wednesday for comments. Thanks, Tom` },
  { d: 'transcript', lang: 'en', q: ['Why is the customer calling?', 'What did the agent offer?'], t:
`Agent: Thanks for calling, how can I help?
Caller: My internet has been dropping every evening for a week.
Agent: I see several disconnects on your line after 7 pm. I can send a technician on Thursday morning.
Caller: Thursday works. Will I be charged?
Agent: No, it's covered. I'll also credit you one week of service for the trouble.` },
  { d: 'news', lang: 'en', q: ['How much will the project cost?', 'When will construction start?'], t:
`The regional government approved a 240-million tram extension linking the university campus to the central station. Construction is expected to start next spring and take three years. The line will add seven stops and is projected to carry 30,000 passengers a day. Opposition councillors criticised the loss of 400 parking spaces along the route.` },
  { d: 'recipe', lang: 'en', q: ['How long should the dough rest?', 'At what temperature is it baked?'], t:
`Focaccia. Mix 500 g flour, 400 ml lukewarm water, 7 g dried yeast and 10 g salt into a sticky dough. Rest covered for two hours, then stretch into an oiled tray and rest another 45 minutes. Dimple with oiled fingers, scatter rosemary and flaky salt. Bake at 230°C for 20-25 minutes until golden.` },
  { d: 'policy', lang: 'en', q: ['Within how many days can items be returned?', 'Who pays for return shipping?'], t:
`Returns. Unworn items in their original packaging can be returned within 30 days of delivery for a full refund. Sale items can be exchanged but not refunded. Return shipping is free for members; other customers pay a flat 4.95 deducted from the refund. Refunds are issued to the original payment method within 5 business days of receipt.` },
  { d: 'log', lang: 'en', q: ['Which job failed?', 'How many retries were attempted?'], t:
`2024-09-03 02:00:01 scheduler INFO starting nightly-export
2024-09-03 02:00:07 exporter INFO wrote 18234 rows to s3://reports/daily.csv
2024-09-03 02:10:00 scheduler INFO starting invoice-sync
2024-09-03 02:10:31 invoice-sync WARN ERP timeout, retry 1/3
2024-09-03 02:11:32 invoice-sync WARN ERP timeout, retry 2/3
2024-09-03 02:12:33 invoice-sync ERROR ERP timeout, giving up after 3 attempts` },
  { d: 'forum', lang: 'en', q: ['What bike does the poster have?', 'What have they already tried?'], t:
`My 2018 gravel bike makes a clicking noise every pedal stroke, only when I'm out of the saddle. I've already greased the pedal threads, checked the chainring bolts and swapped the saddle. Noise is still there. Could it be the bottom bracket? Shop says they can't look at it for three weeks.` },
  { d: 'abstract', lang: 'en', q: ['What method do the authors propose?', 'How much faster is it?'], t:
`We present a sparse attention scheme for long-document transformers that selects key blocks by locality-sensitive hashing. On three summarization benchmarks it matches dense attention within 0.3 ROUGE while running 3.1 times faster on sequences of 16k tokens and using 60% less memory. We release code and trained checkpoints.` },
  { d: 'insurance', lang: 'en', q: ['What is the excess?', 'Is theft covered abroad?'], t:
`Home contents policy summary. Cover up to 50,000 for fire, flood, theft and accidental damage. Excess 150 per claim, 500 for subsidence. Personal possessions taken outside the home, including abroad, are covered up to 2,000 if the optional away-from-home cover is chosen. Claims must be reported within 30 days.` },
  { d: 'minutes', lang: 'en', q: ['What was decided about the playground?', 'When is the next meeting?'], t:
`Residents' association meeting, 4 April. Present: 14 members. The playground renovation was approved with a budget of 18,000, work to finish before the summer holidays. The proposal for a second bike shelter was deferred pending quotes. Membership fee remains 20 per year. Next meeting: 6 June, community hall, 7 pm.` },
  { d: 'hr', lang: 'fr', q: ['Combien de jours de congé sont prévus ?', 'Quand la demande doit-elle être faite ?'], t:
`Note de service. À partir du 1er janvier, chaque salarié bénéficie de deux jours de congé supplémentaires pour événements familiaux. La demande doit être faite au moins une semaine à l'avance via le portail RH, sauf urgence. Les jours non utilisés ne sont pas reportables sur l'année suivante.` },
  { d: 'news', lang: 'fr', q: ['Quelle ville accueille le festival ?', 'Combien de spectateurs sont attendus ?'], t:
`Le festival de musique de Clermont revient du 12 au 15 juillet avec plus de quarante concerts gratuits dans le centre-ville. Les organisateurs attendent 80 000 spectateurs. Pour limiter la circulation, des navettes gratuites relieront les parkings relais à la place de Jaude jusqu'à deux heures du matin.` },
  { d: 'support', lang: 'de', q: ['Welches Gerät hat der Kunde?', 'Was möchte der Kunde?'], t:
`Guten Tag, meine Spülmaschine (Modell SX-400, gekauft im Mai) zeigt seit gestern den Fehlercode E24 und pumpt das Wasser nicht mehr ab. Das Sieb habe ich schon gereinigt. Da das Gerät noch Garantie hat, bitte ich um einen Techniker-Termin, am liebsten vormittags. Mit freundlichen Grüßen, Jonas Keller` },
  { d: 'contract', lang: 'de', q: ['Wie lang ist die Kündigungsfrist?', 'Wann wird die Miete fällig?'], t:
`§ 3 Mietzins. Die monatliche Kaltmiete beträgt 950 Euro zuzüglich einer Betriebskostenvorauszahlung von 210 Euro. Die Miete ist bis zum dritten Werktag eines jeden Monats im Voraus zu zahlen. § 4 Kündigung. Das Mietverhältnis kann von beiden Seiten mit einer Frist von drei Monaten zum Monatsende gekündigt werden.` },
  { d: 'news', lang: 'es', q: ['¿Cuánto subirá el salario mínimo?', '¿Desde cuándo se aplica?'], t:
`El Gobierno aprobó este martes una subida del salario mínimo del 4 %, que quedará en 1.184 euros mensuales en catorce pagas. La medida se aplicará con efecto retroactivo desde el 1 de enero y beneficiará a unos 2,5 millones de trabajadores, según el Ministerio de Trabajo. La patronal considera que la subida es excesiva para las pequeñas empresas.` },
  { d: 'support', lang: 'es', q: ['¿Qué problema tiene el cliente?', '¿Qué número de pedido menciona?'], t:
`Hola, hice el pedido 77-310 hace diez días y todavía no me ha llegado. En el seguimiento pone que está en el almacén desde el día 3. Necesito los zapatos para una boda el sábado, así que si no llegan antes prefiero cancelar y que me devuelvan el dinero. Gracias, Lucía` },
  { d: 'notice', lang: 'it', q: ['Quando sarà chiusa la strada?', 'Quale percorso alternativo è consigliato?'], t:
`Avviso ai cittadini: per lavori di rifacimento della rete idrica, via Garibaldi sarà chiusa al traffico dal 3 al 17 marzo, dalle 8 alle 18. Si consiglia di utilizzare il percorso alternativo lungo viale Roma. Le linee di autobus 4 e 9 subiranno deviazioni. Per informazioni contattare l'ufficio tecnico comunale.` },
  { d: 'email', lang: 'pt', q: ['Quando será a reunião?', 'O que os participantes devem trazer?'], t:
`Olá equipe, a reunião de planejamento do segundo semestre será na quinta-feira, dia 8, às 10h, na sala 3. Por favor tragam a previsão de vendas de cada região e a lista de projetos prioritários. A reunião deve durar cerca de duas horas. Abraços, Marina` },
  { d: 'notice', lang: 'nl', q: ['Wanneer is de bibliotheek gesloten?', 'Hoe kun je boeken terugbrengen?'], t:
`Beste bezoekers, wegens een verbouwing is de bibliotheek van 1 tot en met 20 augustus gesloten. Geleende boeken kunnen in die periode worden ingeleverd via de inleverbus naast de hoofdingang. De uitleentermijn wordt automatisch verlengd. Vanaf 21 augustus zijn we weer open met een nieuwe leeszaal.` },
  { d: 'review', lang: 'pl', q: ['Co klientowi się nie podobało?', 'Czy poleca produkt?'], t:
`Odkurzacz działa bardzo dobrze na dywanach i jest cichy, ale bateria wystarcza tylko na około 25 minut, a stacja dokująca zajmuje dużo miejsca. Za tę cenę spodziewałem się więcej. Mimo to polecam, jeśli ktoś ma małe mieszkanie.` },
  { d: 'chatlog', lang: 'en', q: ['Who will book the restaurant?', 'What time did they agree on?'], t:
`Sam: dinner for mum's birthday?
Jo: yes! saturday?
Sam: saturday works, 7:30?
Jo: 7:30 is good. I'll book the Italian place on Elm St
Sam: great, I'll get the cake
Jo: and tell Alex` },
  { d: 'spec', lang: 'en', q: ['What is the maximum request size?', 'How are clients authenticated?'], t:
`API limits. Requests are authenticated with a bearer token issued per client application; tokens expire after 60 minutes and are refreshed with the refresh endpoint. Each client may send up to 600 requests per minute; above that the API returns 429 with a Retry-After header. The maximum request body is 5 MB. All timestamps are UTC in RFC 3339 format.` },
  { d: 'agri', lang: 'en', q: ['When should the seeds be sown?', 'How far apart should plants be?'], t:
`Growing courgettes. Sow seeds indoors in small pots in late April, two centimetres deep, and keep them at about 20°C. Plant out after the last frost, usually mid-May, spacing plants 90 cm apart in rich soil. Water at the base, not on the leaves, to avoid mildew. Pick the fruits when they are 10 to 15 cm long; frequent picking encourages more.` },
  { d: 'history', lang: 'en', q: ['When was the lighthouse built?', 'Why was it decommissioned?'], t:
`The Kestrel Point lighthouse was built in 1867 from local granite after a series of shipwrecks on the reef. Its keepers lived on site until 1962, when the light was automated. In 1998 it was decommissioned because satellite navigation and a new buoy system made it redundant. Today it is a small museum run by volunteers, open on summer weekends.` },
  { d: 'it', lang: 'en', q: ['What must users do before Friday?', 'What happens to accounts that do not comply?'], t:
`IT notice: we are switching to hardware security keys for all staff logins. Please collect your key from the service desk and register it at the security portal before Friday 17:00. Accounts without a registered key will be limited to webmail from Monday. Lost keys can be replaced once free of charge.` },
  { d: 'sports', lang: 'en', q: ['Who scored the winning goal?', 'What was the final score?'], t:
`City came from behind to beat Rovers 3-2 on Sunday. Rovers led 2-0 at half-time through goals from Okoye and Brandt, but a double from substitute Marín levelled the game within ten minutes of the restart. Defender Haaland-Berg headed the winner from a corner in the 88th minute. City move up to fourth.` },
];

// Instruction templates phrased without the usual keywords (see templates.mjs for the format).
export const LOCAL2 = {
  classification: [
    { t: 'Which bucket does this belong in — hardware, software, or account access?', short: true },
    { t: 'One word only: is the writer satisfied?', short: true },
    { t: 'Sort each item into FOOD, TRANSPORT, HOUSING or OTHER.', short: true },
    { t: 'Tag every line with its intent.', short: true },
    'Is this document confidential, internal or public? Pick one.',
    { t: 'Reply with the queue this should go to: LEGAL, FINANCE, IT or HR.', sys: true },
    { t: 'Would a reasonable reader call this rude? yes or no', short: true },
    { t: 'Score how urgent this sounds, 1-5, digits only.', short: true },
    { t: 'Mark this as relevant or irrelevant to a question about pricing.', short: true },
    { t: 'For each message output POS, NEG or NEU.', short: true, sys: true },
    'What kind of text is this: a complaint, a request, a report or an announcement?',
    { t: 'Choose the best topic label: health, money, travel, work, family.', short: true },
    { t: 'Is the tone here sarcastic? Answer true/false.', short: true },
    { t: 'Decide which team owns this: frontend, backend, data or infra. Give just the team.', sys: true },
    { t: 'Does this contain a question that needs an answer from us? Y/N', short: true },
    { t: 'Ist das eine Beschwerde, eine Frage oder ein Lob? Ein Wort.', lang: 'de', short: true },
    { t: '¿Es urgente? Responde sí o no.', lang: 'es', short: true },
    { t: "C'est plutôt positif, négatif ou neutre ? Un seul mot.", lang: 'fr', short: true },
    { t: 'Is dit bericht spam? Antwoord ja of nee.', short: true },
    { t: 'Which of the categories fits best? Options: outage, slowness, data loss, feature question.', sys: true },
    { t: 'Give each review a label from {great, ok, bad}.', short: true },
    'Assign an ICD-style category to this note: respiratory, cardiac, musculoskeletal, other.',
  ],
  extraction: [
    'Pull out every date mentioned, one per line.',
    'List the people and what each of them is supposed to do.',
    'Give me just the amounts of money that appear here.',
    { t: 'Fields needed: name, date, amount, reference. Fill them from the text; use null if missing.', sys: true },
    'What numbers are in this? Put them in a table with what each one refers to.',
    'Grab the place names from this.',
    { t: 'Return a JSON array of {"item": ..., "qty": ...} for everything ordered.', sys: true },
    'Which companies or organisations are named?',
    'Make a list of the deadlines with what is due on each.',
    'Copy out only the sentences that contain a requirement.',
    'Give me the contact details from this, nothing else.',
    'Find the times and durations and list them.',
    { t: 'Turn this into key: value pairs for our database.', sys: true },
    'Who is mentioned, and with what job title?',
    'Pick out the error codes and the components they belong to.',
    { t: 'Extrais les noms de personnes et les dates de ce texte.', lang: 'fr' },
    { t: 'Nenne alle Beträge und Fristen aus diesem Text als Liste.', lang: 'de' },
    { t: 'Saca todas las fechas y cantidades del siguiente texto.', lang: 'es' },
    { t: 'Estrai i nomi delle strade e le date.', lang: 'it' },
    'Which products and prices appear? Two columns please.',
  ],
  summarization: [
    'What are the main points here?',
    'Give me the short version.',
    'Three bullets, max. What happened?',
    'In one sentence, what is this about?',
    'Write the headline and a two-line recap.',
    { t: 'Condense anything you receive into a brief abstract of at most 50 words.', sys: true },
    'tl;dr?',
    'I have no time to read this, what do I need to know?',
    'Recap this for someone who missed it.',
    'What is the bottom line?',
    'Shorten this to a paragraph I can paste into a status report.',
    'Key takeaways only.',
    { t: 'You produce executive briefs: the situation, the decision needed, the deadline.', sys: true },
    'Boil it down.',
    { t: "Résume l'essentiel en deux phrases.", lang: 'fr' },
    { t: 'Worum geht es hier? Kurz bitte.', lang: 'de' },
    { t: 'Dame un resumen breve de esto.', lang: 'es' },
    { t: 'Riassumi in poche righe.', lang: 'it' },
    { t: 'Resuma em tópicos.', lang: 'pt' },
    { t: 'Vat dit kort samen.', lang: 'nl' },
  ],
  rewrite: [
    'Make this sound friendlier.',
    'Same content, but more professional, please.',
    'Rephrase so a child could understand it.',
    'Tighten this up, it is too wordy.',
    'Put it in English.',
    'Render this in French.',
    'Now in German, please.',
    'Translate to Italian and keep the formatting.',
    'Turn this into a bulleted list.',
    'Rewrite in the passive voice.',
    'Correct any mistakes in this but keep my wording.',
    'Change it to first person.',
    'Make it sound like it was written by a lawyer.',
    'Give me a softer way to say this.',
    'Convert this into a markdown table.',
    { t: 'Whatever the user writes, return it in formal British English with spelling fixed.', sys: true },
    { t: 'You are a translator into Spanish. Output only the translation.', sys: true },
    'Reword this so it fits in a tweet.',
    { t: 'Reformule de façon plus polie.', lang: 'fr' },
    { t: 'Schreib das bitte höflicher um.', lang: 'de' },
    { t: 'Tradúcelo al inglés.', lang: 'es' },
    { t: 'Traduci in inglese.', lang: 'it' },
    'Paraphrase it without changing the meaning.',
  ],
  closed_qa: [
    { t: '{q}', q: true },
    { t: 'Going only by what is written here: {q}', q: true },
    { t: '{q} Quote the sentence that says so.', q: true },
    { t: 'Quick one about the text above: {q}', q: true },
    { t: 'Using nothing but this document, {q}', q: true },
    { t: '{q} If it is not in the text, say so.', q: true },
    { t: 'My colleague sent me this. {q}', q: true },
    { t: 'According to this, {q}', q: true },
    { t: 'Answer from the passage only. {q}', q: true, sys: true },
    { t: 'Does the text say anything about this: {q}', q: true },
    { t: '{q} (short answer)', q: true },
    { t: 'Check the document and tell me: {q}', q: true },
  ],
};

export const OPEN_QA2 = [
  'why do cats purr', 'How do noise-cancelling headphones work?', 'What caused the fall of the Western Roman Empire?',
  'Is coffee bad for your heart?', 'what is the capital of Australia', 'How many bones are in the human body?',
  'What does an actuary do?', 'Why is the ocean salty?', 'When did the Berlin Wall fall?',
  'What is the difference between weather and climate?', 'How do vaccines train the immune system?',
  'Which planet has the most moons?', 'What is a good age to start learning piano?',
  'How do credit scores work in the US?', 'What are the main causes of inflation?', 'Who wrote One Hundred Years of Solitude?',
  'How does a bill become law in the UK?', 'what happens to your body when you run a marathon',
  'What are the health benefits of intermittent fasting, if any?', 'Why do we have leap years?',
  'Pourquoi les feuilles changent-elles de couleur en automne ?', 'Qui a peint La Liberté guidant le peuple ?',
  'Wie funktioniert eine Wärmepumpe?', 'Warum ist der Himmel nachts dunkel?', '¿Cuál es el río más largo del mundo?',
  '¿Qué es la inteligencia artificial?', 'Chi ha inventato il telefono?', 'Qual é a montanha mais alta do Brasil?',
  'Wat is het verschil tussen een orkaan en een tornado?', 'What is the best way to learn a new language as an adult?',
  'What should I see in Lisbon in two days?', 'Is nuclear power safe?', 'How long does it take light from the Sun to reach Earth?',
  'What are the symptoms of vitamin D deficiency?', 'What was the Marshall Plan?', 'How do airplanes stay in the air?',
  'What do economists mean by opportunity cost?', 'Which languages are spoken in Switzerland?',
  'How is cheese made?', 'What is quantum entanglement in simple terms?', 'what are good plants for a shady balcony',
  'What is the history of the Olympic Games?', 'Who invented the printing press and when?',
  'Why do some people get motion sickness?', 'Can you explain how the stock market works?',
  'What are the pros and cons of electric cars?', 'What is the tallest building in the world right now?',
  'How did the Black Death change Europe?', 'What is CRISPR used for?', 'How should I prepare for a job interview?',
];

export const CREATIVE2 = [
  'Write a short story about a lighthouse keeper who receives a letter from the future.',
  'A poem about the smell of rain on hot pavement.', 'Give me five ideas for a fantasy novel title.',
  'Write a funny product description for a sock that always goes missing.', 'Compose a birthday message for my grandmother who turns 90.',
  'Draft a speech for a retirement party for a teacher who taught for 35 years.', 'Create a riddle whose answer is "shadow".',
  'Write a sonnet about a broken umbrella.', 'Imagine a conversation between the Sun and the Moon.',
  'Write a scary story in exactly five sentences.', 'Brainstorm names for a podcast about urban gardening.',
  'Write a love letter from a robot to a toaster.', 'Create a superhero whose only power is perfect parallel parking.',
  'Write a rap verse about doing laundry.', 'Describe a city where it is always sunset.',
  'Write a dialogue between a detective and a parrot who witnessed the crime.', 'Come up with a tagline for an eco-friendly shoe brand.',
  'Write a haiku sequence about the four seasons in a city.', 'Give me a plot twist for a murder mystery set on a cruise ship.',
  'Write song lyrics about leaving your hometown.', 'Write a fable about a lazy river and a busy mountain.',
  'Make up a bedtime story about a dragon who is afraid of the dark.', 'Invent a new holiday and describe how people celebrate it.',
  'Write an ad jingle for a neighbourhood pizza place.', 'Write the first chapter of a cosy mystery set in a bookshop.',
  'Écris une nouvelle courte sur un chat qui voyage en train.', 'Écris un slogan pour une boulangerie de quartier.',
  'Schreib eine Kurzgeschichte über einen Roboter, der Gärtner werden will.', 'Schreibe ein Gedicht über den ersten Schnee.',
  'Escribe un poema sobre el mar en invierno.', 'Inventa un cuento para niños sobre una tortuga valiente.',
  'Scrivi una poesia sulla nostalgia di casa.', 'Escreva uma história curta sobre um farol abandonado.',
  'Roleplay as a pirate captain welcoming new crew members.', 'Write a motivational quote for a running club.',
  'Write a eulogy for a houseplant I forgot to water.', 'Describe a meal on Mars in the style of a food critic.',
  'Give me ten creative names for a coffee shop run by cats.', 'Write a short screenplay scene where two strangers share an umbrella.',
  'Write a limerick about a forgetful wizard.',
];

export const REASONING2 = [
  'A bat and a ball cost 1.10 in total. The bat costs 1.00 more than the ball. How much does the ball cost?',
  'If it takes 5 machines 5 minutes to make 5 widgets, how long would 100 machines take to make 100 widgets?',
  'Three friends split a bill of 87.60 with a 15% tip. How much does each pay?',
  'Is 221 a prime number? Show how you check.', 'What is the next number in the sequence 2, 6, 12, 20, 30?',
  'A car travels 150 km in 1.5 hours, then 90 km in 1 hour. What is its average speed?',
  'If all bloops are razzies and all razzies are lazzies, are all bloops definitely lazzies?',
  'How many handshakes happen if 12 people each shake hands once with everyone else?',
  'Solve the system: 2x + y = 11 and x - y = 1.', 'Find the derivative of f(x) = x^3 sin(x).',
  'I invest 5,000 at 4% compounded annually. How much will I have after 10 years?',
  'Two trains start 300 km apart and move toward each other at 70 km/h and 80 km/h. When do they meet?',
  'A rectangle has a perimeter of 40 and an area of 96. What are its sides?',
  'Which is larger: 2^30 or 10^9? Explain without a calculator.',
  'You flip a fair coin three times. What is the probability of exactly two heads?',
  'A shop offers 3 for 2 on shampoo at 4.50 each, or 30% off each bottle. Which deal is better for 3 bottles?',
  'There are 4 red, 5 blue and 6 green balls in a bag. Two are drawn without replacement. Probability both are green?',
  'Prove that there are infinitely many prime numbers.', 'What is the sum of the integers from 1 to 500?',
  'If today is Wednesday, what day of the week will it be in 100 days?',
  'Our team has 6 developers and each closes 4 tickets a week. The backlog is 180 tickets and grows by 6 a week. How many weeks to clear it?',
  'Explain step by step whether it is cheaper to lease or buy a car that costs 30,000 if I keep it 5 years.',
  'Which weighs more, a kilogram of feathers or a kilogram of steel, and why do people get this wrong?',
  'A clock shows 3:15. What is the angle between the hour and minute hands?',
  'Integrate x e^x dx.', 'Simplify (x^2 - 9) / (x^2 + 6x + 9).',
  'Ein Zug fährt mit 80 km/h. Wie lange braucht er für 340 km?', 'Combien font 15 % de 240 ? Explique le calcul.',
  'Si un grifo llena un depósito en 6 horas y otro en 3, ¿cuánto tardan juntos?', 'Quanto fa la somma degli angoli interni di un esagono?',
  'Plan the cheapest order to visit four cities given these distances: A-B 10, A-C 15, A-D 20, B-C 35, B-D 25, C-D 30.',
  'If a recipe for 4 people needs 300 g of rice, how much for 7 people?',
  'A population of bacteria doubles every 20 minutes. Starting from 100, how many after 3 hours?',
  'Is the argument valid? All managers attend the meeting. Sara attends the meeting. So Sara is a manager.',
  'How many ways can 5 books be arranged on a shelf if two of them must be next to each other?',
  'What is the expected value of a game where you win 10 with probability 0.2 and lose 3 otherwise? Should I play?',
];

export const CODE2 = [
  'How do I read a CSV file into a pandas DataFrame and drop rows with missing values?',
  'Write a function in JavaScript that deep-clones an object without using JSON.stringify.',
  'What is the difference between a process and a thread?', 'Why does my Rust code say "borrowed value does not live long enough"?',
  'Write a Python class for an LRU cache with get and put in O(1).', 'How can I undo the last git commit but keep my changes?',
  'SQL: find duplicate email addresses in a users table.', 'Explain what a closure is in JavaScript with an example.',
  'My Kubernetes pod is stuck in CrashLoopBackOff. How do I debug it?', 'Write a regex that validates an IPv4 address.',
  'How do I set up a Python virtual environment and install requirements?', 'Write unit tests in pytest for a function that adds two numbers.',
  'Convert this callback-based function to async/await: function load(cb) { fs.readFile("a.txt", cb) }',
  'What does the "static" keyword mean in C?', 'How do I center text in a Tkinter window?',
  'Write a bash one-liner that counts lines in all .py files recursively.', 'Implement binary search in Go.',
  'What is the time complexity of quicksort in the worst case and why?', 'How do I handle CORS errors in an Express server?',
  'Write a TypeScript type for a function that takes a string or number and returns the same type.',
  'Why is my React component re-rendering infinitely when I call setState in useEffect?',
  'Write a Java method that checks if a string is a palindrome, ignoring punctuation.',
  'How do I profile a slow Python function?', 'Design a database schema for a library with books, members and loans.',
  'What is the difference between INNER JOIN and LEFT JOIN?', 'Write a Dockerfile for a Flask app.',
  'How can I make an HTTP request with curl and send a JSON body?', 'Explain Big-O notation with examples.',
  'Write a C function that reverses a string in place.', 'My CSS grid items overflow the container on mobile, how do I fix it?',
  'Schreib eine Python-Funktion, die prüft, ob eine Zahl eine Primzahl ist.', 'Comment trier un dictionnaire par valeur en Python ?',
  '¿Cómo hago un bucle for en Bash sobre los archivos de una carpeta?', 'Come si dichiara un array in Java?',
  'Set up a GitHub Actions workflow that runs npm test on every push.', 'What does this error mean: segmentation fault (core dumped)?',
  'Refactor a long if/else chain that maps status codes to messages into something cleaner in Python.',
  'How do I parse command-line arguments in a Node.js script?', 'Write a SQL migration that adds a non-null column with a default.',
  'Explain the difference between == and === in JavaScript.',
];

export const CHAT2 = [
  'hey there', 'hiya!', 'good evening', 'morning!', 'sup', "how's your day going?", 'nice to meet you',
  'thank you so much', 'thanks a bunch', 'cool, appreciate it', 'awesome', 'ok', 'got it', 'you rock', 'bye!', 'see you tomorrow',
  'talk later', 'gotta go, thanks', 'lol', 'haha nice one', 'omg', 'wow', 'I see', 'makes sense', 'fair enough',
  "I'm so tired today", 'feeling great this morning!', 'I passed my driving test!', 'my team lost again :(',
  "it's raining and I'm stuck inside", 'do you have feelings?', 'are you real?', 'what do you like to do?',
  'do you dream?', 'you are very helpful', "that's not what I meant, but ok", 'sorry, my bad', 'never mind that',
  'just saying hi', 'I am back', 'Salut ! Ça va ?', 'bonne nuit', 'Guten Morgen!', 'tschüss', 'buenas noches',
  'gracias amigo', 'ciao!', 'obrigado!', 'Hoi, hoe gaat het?', 'dzięki!',
];

// Short texts (one line: messages, headlines, posts), more languages and scripts.
export const SHORT2 = [
  'Third time this month the train was cancelled without notice.', 'Just tried the new ramen place on King St, 10/10 would go again',
  'Your subscription will renew automatically on 1 June.', 'Can someone from accounts call me back about invoice 4471?',
  'Breaking: storm warning issued for the whole coast tonight.', 'lol the update moved every button again, why',
  'We regret to inform you that your application was not successful.', 'The conference room projector is broken again.',
  'Shares of the chipmaker jumped 9% after earnings beat forecasts.', 'Thanks for the quick fix, everything works now!',
  'Is there parking at the venue?', 'I want to close my account and delete my data.', 'Free trial ends tomorrow — upgrade now and save 40%!',
  'The nurse was kind but we waited four hours in the ER.', 'Please send the signed contract by Friday.',
  'Mi pedido llegó incompleto, falta una pieza.', '¡Me encanta esta app, la uso todos los días!', 'El vuelo sale con dos horas de retraso.',
  'Le colis n’est jamais arrivé et le suivi ne bouge plus.', 'Super accueil, on reviendra !', 'La réunion est reportée à jeudi.',
  'Das Paket wurde beim Nachbarn abgegeben.', 'Ich warte seit drei Wochen auf meine Erstattung.', 'Tolles Hotel, sehr sauberes Zimmer.',
  'Il treno è arrivato puntuale, ottimo servizio.', 'O produto veio com defeito e ninguém responde.', 'De levering was snel en netjes.',
  'Zamówienie przyszło uszkodzone.', 'Спасибо, всё работает отлично!', 'Заказ так и не пришёл, верните деньги.',
  '配送が遅れていて困っています。', 'とても使いやすいアプリです。', '这个产品质量很好，物流也很快。', '我的订单还没有发货，请帮我查一下。',
  'الطلب وصل متأخرا جدا', 'सेवा बहुत अच्छी थी, धन्यवाद!', 'Bu ürün tam beklediğim gibi, teşekkürler.', 'Rất hài lòng với dịch vụ.',
  'Meeting notes: budget ok, launch slips one week, hire 2 contractors.', 'Reminder: the office closes at 3pm on Friday.',
];

// More literal prompts in more languages for the cloud-kind tasks (added to the lists above).
export const OPEN_QA3 = [
  'Welche Vorteile hat eine Solaranlage auf dem Dach?', 'Wer hat die Relativitätstheorie entwickelt?', 'Wie entstehen Gewitter?',
  'Was ist der Unterschied zwischen Wetter und Klima?', '¿Quién escribió Don Quijote?', '¿Cómo funciona una vacuna?',
  '¿Qué países forman parte de la Unión Europea?', 'Quelle est la capitale du Canada ?', 'Comment fonctionne un moteur électrique ?',
  'Pourquoi la mer est-elle salée ?', 'Perché il cielo è blu?', 'Quando è caduto l\'Impero romano d\'Occidente?',
  'Quem descobriu o Brasil?', 'Hoeveel inwoners heeft Nederland?', 'Почему небо голубое?', 'Кто написал «Войну и мир»?',
  '日本の首都はどこですか？', '光合作用是什么？', 'Kim był Mikołaj Kopernik?', 'What is the origin of Halloween?',
  'Why do we dream?', 'How do bees make honey?', 'What is the difference between a crocodile and an alligator?',
  'Which countries border Germany?', 'How does GPS know where I am?', 'What is a black hole?', 'Who was Ada Lovelace?',
  'What are the rules of cricket, briefly?', 'how does a mortgage work', 'is it safe to eat raw cookie dough',
];
export const CODE3 = [
  'What does `chmod 755` do?', 'Explain what this command does: find . -name "*.tmp" -delete', 'What is the regex for a valid email address?',
  'what does `git stash pop` do', 'Explain: docker run -p 8080:80 -v $(pwd):/app nginx', 'What is the SQL to rename a column in PostgreSQL?',
  'How do I exit vim?', 'What is the difference between `let` and `const`?', 'How do I list open ports on Linux?',
  'Erkläre mir, was `git reset --hard` macht.', '¿Qué hace el comando `ls -la`?', "Qu'est-ce qu'une API REST ?",
  'Regex to match a date like 2024-03-15?', 'What does the `yield` keyword do in Python?', 'Explain this line: arr.filter(Boolean)',
];
export const CREATIVE3 = [
  'Give me a catchy name for my food truck that sells dumplings.', 'Pitch me a movie about a time-travelling plumber.',
  'A tagline for a dentist who loves jokes?', 'Come up with a band name for three grandmothers who play punk.',
  'Invent a board game about saving bees and describe how to play.', 'Write a wedding vow that mentions our dog.',
  'Dream up a new ice cream flavour and write its menu description.', 'Describe the villain of a children\'s cartoon.',
  'Write a toast for my best friend\'s 40th birthday.', 'Create a mascot for a library and describe it.',
];
export const REASONING3 = [
  'I have a 4-minute and a 7-minute hourglass. How can I measure exactly 9 minutes?',
  'A farmer must cross a river with a wolf, a goat and a cabbage. The boat holds one item. How does he do it?',
  'Should I take a job paying 5,000 more but with a commute that is an hour longer each day? Reason it out.',
  'My savings grow 5% a year. How many years until they double? Explain the rule of 72.',
  'If a shirt costs 40 after a 20% discount, what was the original price?', 'Which is the better deal: 1.5 kg for 6.30 or 2 kg for 8.20?',
  'Three switches outside a room control one bulb inside. You may enter once. How do you find which switch works?',
  'Sort these by size and justify: a virus, a bacterium, a human cell, a grain of sand.',
  'How many squares are there on a chessboard, counting all sizes?', 'Is it possible to tile a chessboard with two opposite corners removed using dominoes?',
];

// Label sets and frames for generated classification prompts (system prompt or inline), and field
// lists for extraction: combined at random by gen-corpus.mjs.
export const LABEL_SETS = [
  'SAFE or UNSAFE', 'SPAM / HAM', 'yes or no', 'true or false', 'POSITIVE, NEGATIVE or NEUTRAL', 'low, medium, high',
  'BUG, FEATURE, QUESTION, OTHER', 'A (billing), B (technical), C (sales)', 'P1, P2, P3', 'urgent / not urgent',
  'HR (people), FIN (finance), OPS (operations), LEG (legal)', 'en, fr, de, es, it', 'relevant or off-topic',
  'formal, neutral, casual', '1, 2, 3, 4 or 5', 'TOXIC / OK', 'fact, opinion', 'question, complaint, praise, request',
  'GREEN, AMBER, RED', 'news, ad, personal, scam', 'approve / reject / escalate', 'INFO, WARNING, CRITICAL',
];
export const CLASS_FRAMES = [
  'Answer with exactly one of: {L}.', 'Reply with one label ({L}) and nothing else.', 'Output a single code from {L}.',
  'You classify incoming {X}. Allowed labels: {L}.', 'For each {X} you receive, answer {L}.', 'Respond only with {L}.',
  'You are a {X} triage model. Possible outputs: {L}. No explanations.', 'Return JSON {"label": ...} with label in {L}.',
  'Which one applies, {L}?', '{L}? Just the label.', 'Pick {L} for this {X}.', 'Label it: {L}.',
];
export const CLASS_THINGS = ['messages', 'support tickets', 'emails', 'reviews', 'tweets', 'log lines', 'chat messages', 'requests',
  'comments', 'headlines', 'survey answers', 'inquiries', 'transactions'];
export const FIELD_SETS = [
  'vendor, invoice number, total, due date', 'name, email, phone', 'date, time, location', 'product, quantity, unit price',
  'patient age, diagnosis, medication', 'sender, recipient, subject, deadline', 'company, role, start date, salary',
  'flight number, departure, arrival, seat', 'error code, service, timestamp', 'address, postcode, city, country',
  'title, author, year', 'order id, status, carrier, tracking number',
];
export const EXTRACT_FRAMES = [
  'You turn text into records with these fields: {F}. Use null when missing.', 'Fields: {F}. Fill them from the text.',
  'Extract {F} as JSON.', 'Return a CSV row with {F}.', 'Give me {F}, nothing else.', 'I only need the {F} from this.',
  'Output YAML with keys for {F}.', 'What are the {F}? Use a table.', 'Pull {F} out of the message.',
];

// Rewrite targets and frames (format conversion, tone, language), and role-play set-ups (creative).
export const REWRITE_TARGETS = [
  'a markdown table', 'a bulleted list', 'JSON', 'a numbered checklist', 'plain English', 'formal English', 'a friendly tone',
  'Spanish', 'French', 'German', 'Italian', 'Portuguese', 'Dutch', 'English', 'Japanese', 'simpler words', 'a polite email',
  'the third person', 'past tense', 'a single sentence', 'title case', 'proper punctuation', 'neutral Spanish', 'British spelling',
];
export const REWRITE_FRAMES = [
  'Convert whatever the user sends into {T}. No commentary.', 'Rewrite this as {T}.', 'Put this into {T}, please.',
  'Could you turn this into {T}?', 'Same text, but in {T}.', 'Redo it in {T} and keep every detail.', 'Make it {T}.',
  'You reformat text into {T}. Output only the result.', 'Clean this up and give it back as {T}.', 'Change this to {T}:',
];
export const ROLEPLAY_SETUPS = [
  'You are a game master running a fantasy campaign.', 'You are a grumpy dwarf blacksmith in a tavern.',
  'Play the role of a ship captain in a storm.', 'You are the narrator of an interactive mystery.',
  'You are a medieval innkeeper.', 'Pretend to be an alien visiting Earth for the first time.', 'You are a noir detective narrating.',
  'Act as the dungeon master for a sci-fi adventure.',
];
export const ROLEPLAY_MOVES = [
  'We enter the old mill. What do we see?', 'I open the chest slowly.', 'I ask the stranger where he came from.',
  'We follow the footprints into the forest.', 'I draw my sword and step forward.', 'What does the city look like from the hill?',
  'I knock on the door three times.', 'Describe the market square at dawn.', 'The lights go out. What happens next?',
  'I try to bargain with the merchant.',
];

// Judgment questions about one short item (classification), and question-form extraction.
export const JUDGE_ADJ = ['clickbait', 'sarcastic', 'ironic', 'a scam', 'phishing', 'spam', 'rude', 'formal', 'urgent', 'offensive',
  'a complaint', 'positive', 'negative', 'misleading', 'an advertisement', 'a question', 'polite', 'passive-aggressive', 'off-topic', 'a threat'];
export const JUDGE_FRAMES = ['Is this {A}?', 'Would you call this {A}?', 'Is the following {A}? yes/no', 'Does this read as {A}?',
  '{A} or not?', 'Quick check: is this message {A}?', 'Be honest, is this {A}?', 'Is the tone of this {A}?'];
export const JUDGE_FRAMES_I18N = ['Ce message est-il {A} ?', 'Est-ce que ce texte est {A} ?', '¿Este mensaje es {A}?', '¿Es {A} este texto?',
  'Ist diese Nachricht {A}?', 'Ist das {A}?', 'Questo messaggio è {A}?', 'Esta mensagem é {A}?', 'Is dit bericht {A}?'];
export const JUDGE_ADJ_I18N = ['spam', 'ironique', 'urgent', 'positif', 'une arnaque', 'sarcástico', 'urgente', 'una estafa', 'positivo', 'ofensivo',
  'Spam', 'dringend', 'ironisch', 'positiv', 'unhöflich', 'urgente', 'ironico', 'positivo', 'ofensiva', 'dringend'];
export const SORT_FRAMES = ['Which of these are {A} and which are {B}? {L}', 'Split into {A} vs {B}: {L}', 'Group these as {A} or {B}: {L}',
  'Mark each as {A} or {B}: {L}'];
export const SORT_SETS = [
  ['mammals', 'birds', 'whale, sparrow, bat, penguin, dolphin, eagle'], ['renewable', 'non-renewable', 'coal, wind, solar, natural gas, hydro, oil'],
  ['needs', 'wants', 'rent, concert tickets, groceries, new phone, electricity, streaming subscription'],
  ['fixed costs', 'variable costs', 'rent, raw materials, insurance, shipping, salaries, packaging'],
  ['positive', 'negative', '"loved it", "never again", "exceeded expectations", "broke in a week"'],
  ['input devices', 'output devices', 'keyboard, monitor, mouse, printer, microphone, speaker'],
  ['metals', 'non-metals', 'iron, oxygen, copper, sulfur, gold, carbon'], ['hardware issues', 'software issues', 'cracked screen, app crash, dead battery, login loop, broken hinge, slow update'],
];
export const EXTRACT_Q = ['Which {T} are mentioned here?', 'What {T} does this text mention?', 'List the {T} that appear below.',
  'which {T} come up in this?', 'Are there any {T} in this? List them.', 'Can you find all the {T}?'];
export const EXTRACT_T = ['cities', 'people', 'dates', 'companies', 'products', 'amounts', 'phone numbers', 'email addresses', 'countries',
  'deadlines', 'prices', 'times', 'street names', 'job titles'];
export const EXTRACT_Q_I18N = ['Quelles villes sont mentionnées ici ?', 'Quels noms de personnes apparaissent dans ce texte ?',
  'Welche Daten und Beträge kommen hier vor?', 'Welche Firmen werden genannt?', '¿Qué fechas aparecen en el texto?',
  '¿Qué personas se mencionan?', 'Quali città sono citate?', 'Quais nomes aparecem no texto?', 'Welke bedragen staan erin?'];

export const REASONING4 = [
  'Four people need to cross a bridge at night with one torch; they take 1, 2, 5 and 10 minutes. At most two cross at once. What is the fastest total time?',
  'A father is 30 years older than his son. In 5 years he will be three times as old. How old is the son now?',
  'You have 12 coins and one is fake and lighter. With a balance scale, how few weighings do you need? Explain the plan.',
  'If I read 18 pages a day, how many days for a 500-page book, and on which page will I be after two weeks?',
  'A tank is filled by one pipe in 4 hours and drained by another in 6. With both open, how long to fill it?',
  'Knights always tell the truth and knaves always lie. A says "B is a knave". B says "A and I are the same type". What are they?',
  'Is it cheaper to drive 400 km with a car using 6.5 l/100 km at 1.85 per litre, or take a train ticket for 52?',
  'A price goes up 10% and then down 10%. Is it back where it started?', 'What is 17% of 2,350, and how did you get it?',
  'There are 30 students; 18 play football, 12 play tennis, 5 play both. How many play neither?',
  'Ein Rechteck ist doppelt so lang wie breit und hat einen Umfang von 36 cm. Wie groß ist die Fläche?',
  'Si trois chats attrapent trois souris en trois minutes, combien de chats faut-il pour attraper cent souris en cent minutes ?',
  'Tengo 120 euros y gasto un tercio en libros y un cuarto del resto en comida. ¿Cuánto me queda?',
  'Un treno parte alle 9:20 e viaggia a 90 km/h per 225 km. A che ora arriva?',
  'Should a small bakery raise prices 8% if it expects to lose 5% of customers? Work through the revenue effect.',
  'Which is more likely: rolling a total of 7 with two dice, or rolling a double?',
];
export const CHAT3 = [
  'do you ever get bored?', 'what is your favourite colour?', 'do you like your job?', 'are you having a good day?', 'can you keep me company for a bit?',
  'do you sleep?', 'how old are you?', 'do you have friends?', 'what do you do for fun?', 'tell me about yourself',
  '¿Qué tal estás?', '¿cómo te va?', 'Comment vas-tu aujourd’hui ?', 'Wie geht es dir heute?', 'Come stai oggi?', 'Tudo bem com você?',
  "i'm back, did you miss me?", 'sorry for the late reply', 'you made my day', "I'm nervous about tomorrow",
];

// Lists with numbers (expenses, prices, schedules) for the local tasks: digits alone do not make reasoning.
export const NUM_LISTS = [
  'Rent 1,200\nGroceries 310.45\nBus pass 49\nNetflix 15.99\nGym 35\nElectricity 72.30',
  'Mon 09:00-17:30\nTue 09:00-17:30\nWed 10:00-18:00\nThu 09:00-13:00\nFri off',
  'Laptop 1,299.00 x1\nMouse 24.99 x2\nUSB-C hub 39.50 x1\nMonitor 219.00 x2',
  '2024-01-03 Amazon 42.10\n2024-01-05 Shell 61.00\n2024-01-09 Pharmacy 12.80\n2024-01-12 Airbnb 310.00',
  'Flight BA 283 dep 11:20 arr 14:05\nTrain ICE 578 dep 15:10 arr 19:42\nTaxi 20:10',
  'apples 3 kg 2.40\nrice 5 kg 6.90\nolive oil 1 l 8.75\ncoffee 500 g 5.20',
  'Room 101: 22.5°C, 41% humidity\nRoom 102: 24.1°C, 38%\nRoom 103: 19.8°C, 55%',
  'Q1 120k\nQ2 135k\nQ3 128k\nQ4 160k',
];
export const NUM_LIST_TASKS = {
  classification: ['Put each line into a category: essential or optional.', 'Label each item as food, tech or travel.',
    'Which of these are recurring costs and which are one-off?', 'Tag each row as normal or unusual.'],
  extraction: ['What is the most expensive item?', 'List only the times that appear.', 'Pull out the amounts as a JSON array.',
    'Give me the dates and the merchant names.'],
  rewrite: ['Turn this into a markdown table.', 'Convert to CSV with a header row.', 'Rewrite as one sentence.',
    'Format this as a JSON array of objects.', 'Write these out as a short paragraph.'],
  summarization: ['Summarise this list in one sentence.', 'Give me the headline of these numbers.'],
};
export const CODE4 = [
  "What does 'ModuleNotFoundError' mean in Python and how do I fix it?", 'What does "NullPointerException" mean?',
  'Explain the error "undefined is not a function".', 'Why do I get "permission denied (publickey)" when I git push?',
  'Was bedeutet "Segmentation fault" in C?', "Que signifie l'erreur 'CORS policy: No Access-Control-Allow-Origin'?",
  'cron expression for every Monday at 8am?', 'Give me a regex for a hex colour code.', 'How do I write a for loop in Go?',
  'Implement a stack in C with push and pop.', 'Write a Kotlin data class for a user with name and email.',
  'Ruby one-liner to sum an array?', 'SQL to delete duplicate rows but keep one.', 'How do I reverse a string in JavaScript?',
];
export const OTHER_SCRIPT_DOCS = [
  { lang: 'ru', t: 'Завтра офис будет закрыт из-за ремонта. Пожалуйста, работайте из дома и проверяйте почту.' },
  { lang: 'ru', t: 'Спасибо за заказ! Ваша посылка будет доставлена в течение трёх рабочих дней.' },
  { lang: 'zh', t: '明天上午十点在三楼会议室开会，请准时参加并带上季度报告。' },
  { lang: 'zh', t: '您的订单已发货，预计两天内送达。如有问题请联系客服。' },
  { lang: 'ja', t: '明日の会議は午後二時からに変更になりました。資料は事前に共有します。' },
  { lang: 'ja', t: 'ご注文ありがとうございます。商品は三日以内に発送いたします。' },
  { lang: 'ar', t: 'سيتم إغلاق المكتب يوم الجمعة بسبب العطلة الرسمية.' },
  { lang: 'pl', t: 'Jutro spotkanie zespołu o 9:00 w sali konferencyjnej na drugim piętrze.' },
  { lang: 'tr', t: 'Siparişiniz kargoya verildi, iki gün içinde teslim edilecektir.' },
];
export const TRANSLATE_FRAMES = ['Translate into English: {D}', 'Переведи на английский: {D}', '翻译成英文：{D}', '英語に翻訳してください：{D}',
  'What does this say in English? {D}', 'English please:\n\n{D}', 'Traduis en français : {D}', 'Übersetze ins Deutsche: {D}',
  'Put this in plain English:\n{D}', 'Translate to Spanish:\n\n{D}'];
