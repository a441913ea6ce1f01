// Supplied-content pool for the generated corpus: documents written for Sovereign (fictional people,
// companies and numbers), in several domains and languages, each with questions answerable from it.
export const DOCS = [
  { d: 'support', lang: 'en', q: ['When did the customer place the order?', 'What does the customer want?'], t:
`Hi, I ordered a standing desk (order #A-55812) on March 3rd and it arrived yesterday with one leg bent and the control panel cracked. I have photos. I'd like a replacement rather than a refund because I need the desk for work. Please let me know if someone needs to pick up the damaged one, I'm home after 5pm on weekdays. Thanks, Dana Whitfield` },
  { d: 'support', lang: 'en', q: ['Which app version is the user on?', 'What happens when they tap Export?'], t:
`The app keeps crashing when I try to export my notes as PDF. I'm on version 4.2.1 on a Pixel 7. It worked fine last week. Every time I tap Export the screen goes white for a second and then the app closes. I already reinstalled it twice. This is really frustrating because I have an exam on Friday.` },
  { d: 'legal', lang: 'en', q: ['How much notice is required to terminate?', 'Which law governs the agreement?'], t:
`12.1 Either Party may terminate this Agreement for convenience upon ninety (90) days' prior written notice to the other Party. 12.2 Either Party may terminate this Agreement immediately upon written notice if the other Party materially breaches any provision and fails to cure such breach within thirty (30) days after receiving notice thereof. 12.3 Upon termination, the Customer shall pay all fees accrued through the effective date of termination. 12.4 This Agreement shall be governed by the laws of the State of Delaware, without regard to its conflict of laws principles.` },
  { d: 'legal', lang: 'en', q: ['Who is the landlord?', 'What is the monthly rent?'], t:
`This Residential Lease is entered into on June 1, 2024 between Harbor View Properties LLC ("Landlord") and Miguel Ortega ("Tenant"). The premises at 44 Elm Street, Apt 3B, shall be leased for a term of twelve months. Monthly rent is $1,850, due on the first day of each month. A late fee of $75 applies after the fifth day. The security deposit of $2,775 will be returned within 21 days of move-out, less any deductions for damage beyond normal wear and tear. Pets are not permitted without written consent.` },
  { d: 'medical', lang: 'en', q: ['What medication was the patient started on?', 'When is the follow-up?'], t:
`Patient: 58-year-old male presenting with intermittent chest tightness on exertion for three weeks, relieved by rest. No pain at rest. History of hypertension and type 2 diabetes. BP 148/92, HR 78. ECG shows no acute changes. Troponin negative x2. Assessment: stable angina, likely. Plan: start aspirin 81 mg daily and atorvastatin 40 mg, refer for exercise stress test, follow up in two weeks or sooner if symptoms worsen.` },
  { d: 'medical', lang: 'en', q: ['How often should the drug be taken?', 'What should patients avoid?'], t:
`Take one tablet by mouth twice daily with food. Do not crush or chew. Avoid alcohol while taking this medication. Common side effects include nausea, dizziness and dry mouth. Stop taking it and contact your doctor immediately if you develop a rash, swelling of the face or difficulty breathing. Store at room temperature away from moisture. Keep out of reach of children.` },
  { d: 'finance', lang: 'en', q: ['By how much did revenue grow?', 'Why did the operating margin change?'], t:
`Q3 revenue was $48.2 million, up 14% year over year, driven mainly by subscription growth in the mid-market segment. Gross margin improved to 71% from 68% as hosting costs were renegotiated. Operating expenses rose 9% due to new hires in sales. Operating margin declined slightly to 11% because of a one-time legal settlement of $1.4 million. Cash and equivalents stood at $92 million at quarter end. The company reiterated full-year guidance of $190-195 million.` },
  { d: 'finance', lang: 'en', q: ['What is the invoice total?', 'When is payment due?'], t:
`INVOICE #2024-1187
Bill to: Northwind Traders, 120 Harbor Rd, Portland OR
Date: 2024-05-14   Due: 2024-06-13 (Net 30)
- Consulting services, April (32 h @ $150) ........ $4,800.00
- Travel expenses ................................ $612.40
Subtotal: $5,412.40   Tax (0%): $0.00   Total due: $5,412.40
Pay by bank transfer to account ending 4471. Questions: billing@contoso-consulting.example` },
  { d: 'hr', lang: 'en', q: ['How many vacation days do new employees get?', 'Who approves remote work?'], t:
`Effective January 1, full-time employees accrue 20 days of paid vacation per year, rising to 25 days after five years of service. Up to 5 unused days may be carried over into the next calendar year. Remote work of up to three days per week is allowed with the approval of the direct manager. Requests for fully remote arrangements must be approved by both the manager and the HR business partner. Parental leave is 16 weeks at full pay for all parents.` },
  { d: 'hr', lang: 'en', q: ['What position is the candidate applying for?', 'How many years of experience does she have?'], t:
`Dear Hiring Team, I am writing to apply for the Senior Data Analyst position advertised on your careers page. Over the past six years at Meridian Health I built the reporting pipeline for 40 clinics, cut monthly close time from nine days to three, and trained a team of four analysts in SQL and Tableau. I hold an MSc in Statistics from the University of Leeds. I would welcome the chance to discuss how I can help your team. Kind regards, Priya Raman` },
  { d: 'logistics', lang: 'en', q: ['Where is the shipment held?', 'What is the new delivery date?'], t:
`Shipment update for PO 88213: the container MSKU 7781204 was held at the Port of Rotterdam for customs inspection on 12 Oct. Inspection was completed on 15 Oct and the container has been released. Trucking to the Venlo warehouse is booked for 17 Oct, with unloading expected the same afternoon. Revised delivery to the customer is 21 Oct instead of 16 Oct. Demurrage charges of EUR 340 will be invoiced separately.` },
  { d: 'logistics', lang: 'en', q: ['Which items are out of stock?', 'How many pallets arrived?'], t:
`Receiving report, Dock 4, Tuesday: 18 pallets received from Acme Packaging, 2 pallets short versus the ASN. SKU 10442 (corrugated box, large) received in full. SKU 10450 (bubble wrap roll) received 30 of 60. SKU 10461 (tape, clear) out of stock at supplier, backordered until next week. One pallet arrived with damaged shrink wrap but contents were intact. Putaway completed by 3:40 pm.` },
  { d: 'code_review', lang: 'en', q: ['What does the reviewer want changed?', 'Which function is affected?'], t:
`Review comments on PR #482 (payment retries): 1) In retry_payment() the backoff is linear; please switch to exponential with jitter, otherwise we will hammer the gateway during outages. 2) The max_attempts constant is duplicated in two files, move it to config. 3) Nice test coverage overall, but the timeout path isn't tested. 4) Minor: the log line on failure includes the full card token, please mask it. Approving once 1 and 4 are addressed.` },
  { d: 'ecommerce', lang: 'en', q: ['What did the reviewer dislike?', 'How long does the battery last?'], t:
`I've had these headphones for two months now. The sound is warm and the bass is punchy without being muddy. Noise cancelling works well on the train but struggles with wind. Battery easily lasts 30 hours, which is great. The ear cups get warm after an hour and the headband pressed on my head at first. The app is clunky and kept asking me to log in. Overall good value for the price, four stars.` },
  { d: 'ecommerce', lang: 'en', q: ['What material is the jacket made of?', 'How should it be washed?'], t:
`The Alpine Shell Jacket is made from a three-layer recycled nylon with a waterproof membrane rated 20,000 mm. It weighs 410 g, packs into its own chest pocket, and has pit zips for ventilation. The hood fits over a climbing helmet. Available in sizes XS-XXL in slate, moss and ember. Machine wash cold on a gentle cycle and tumble dry low to reactivate the water repellent finish.` },
  { d: 'news', lang: 'en', q: ['Why was the bridge closed?', 'How long will repairs take?'], t:
`The Riverside Bridge was closed to traffic on Monday morning after inspectors found cracks in two of its steel support beams. City engineers said the closure was a precaution and that the bridge was not in danger of collapse. Repairs are expected to take six to eight weeks and cost an estimated $3.2 million. Commuters are being directed to the Fifth Street crossing, where additional traffic officers will be posted during rush hour. Buses on routes 12 and 14 will be diverted.` },
  { d: 'meeting', lang: 'en', q: ['Who owns the launch checklist?', 'When is the launch date?'], t:
`Product sync, Thursday. Attendees: Lena, Marcus, Yuki, Tom. Launch moved from May 2 to May 9 because the localisation files are late. Marcus owns the launch checklist and will share it by Monday. Yuki raised that the onboarding emails still reference the old pricing; Tom will fix the templates. We agreed to drop the referral banner from v1. Open question: do we need legal review for the new terms page? Lena to ask by Wednesday.` },
  { d: 'research', lang: 'en', q: ['How many participants were in the study?', 'What was the main finding?'], t:
`In a randomized controlled trial of 412 adults with mild insomnia, participants who completed six weeks of app-based cognitive behavioural therapy fell asleep on average 19 minutes faster than the control group, who received sleep hygiene leaflets. Improvements persisted at the three-month follow-up. Dropout was higher in the app group (22% vs 11%). The authors note that the sample was mostly urban and under 50, which limits generalisability.` },
  { d: 'realestate', lang: 'en', q: ['How many bedrooms does the house have?', 'What is the asking price?'], t:
`Charming 1920s craftsman on a quiet tree-lined street. 3 bedrooms, 2 baths, 1,740 sq ft, with original hardwood floors and a renovated kitchen (2021) featuring quartz counters. Detached garage with a finished studio above. New roof in 2019. Walking distance to the elementary school and the farmers market. Asking $649,000. Open house Saturday 1-4 pm.` },
  { d: 'it_ops', lang: 'en', q: ['What caused the outage?', 'How long did it last?'], t:
`Incident 2291 postmortem: between 14:02 and 14:49 UTC the checkout API returned 503 errors for about 35% of requests. Root cause: a configuration change reduced the database connection pool from 200 to 20 during a routine deploy. Autoscaling added pods, which made contention worse. The change was rolled back at 14:41 and error rates recovered by 14:49. Action items: add a lint rule for pool size changes, alert on connection wait time, and require a second reviewer for config PRs.` },
  { d: 'education', lang: 'en', q: ['When is the essay due?', 'What percentage of the grade is the exam?'], t:
`Course policies: Weekly quizzes count for 20% of the final grade, the research essay for 30%, and the final exam for 50%. The essay (2,500 words) is due on November 22 at noon via the portal; late submissions lose 5% per day. Office hours are Tuesdays 2-4 pm in Room 210. Collaboration on quizzes is not allowed. Students needing accommodations should contact the disability office in the first two weeks.` },
  { d: 'travel', lang: 'en', q: ['What time does the flight depart?', 'How much checked baggage is included?'], t:
`Booking confirmation ZX4T9Q. Passenger: Ms. Helen Park. Flight LH 431 Chicago (ORD) to Frankfurt (FRA), departs 17:35 on 4 September, arrives 08:50 next day. Seat 32A, economy. Checked baggage: 1 piece up to 23 kg. Connection LH 1062 to Lisbon departs 10:20 from Terminal 1. Online check-in opens 23 hours before departure.` },
  { d: 'insurance', lang: 'en', q: ['What is the deductible?', 'Is flood damage covered?'], t:
`Your homeowner's policy covers dwelling damage up to $420,000 and personal property up to $210,000. The deductible is $1,000 per claim, or 2% of the dwelling limit for windstorm claims. Flood and earthquake damage are excluded and require separate policies. Additional living expenses are covered for up to 12 months if your home becomes uninhabitable due to a covered loss. To file a claim, call the 24-hour line or use the mobile app within 30 days.` },
  { d: 'email', lang: 'en', q: ['What is the new meeting time?', 'What should attendees bring?'], t:
`Hi all, quick change: the quarterly planning session is moving from Tuesday 10am to Wednesday 2pm, same room (Atlas, 4th floor). Please bring your team's top three priorities for Q4 and a rough headcount estimate. Lunch won't be provided since it's after noon now, but there will be coffee. If you can't make the new time, reply by Monday so we can set up a dial-in. Thanks, Rachel` },
  { d: 'support', lang: 'fr', q: ['Quel est le problème du client ?', 'Depuis quand ?'], t:
`Bonjour, depuis la mise à jour de lundi, je ne peux plus me connecter à mon espace client. Le site affiche « identifiants incorrects » alors que j'ai réinitialisé mon mot de passe deux fois. J'ai besoin de télécharger mes factures pour ma comptabilité avant la fin du mois. Pouvez-vous m'aider rapidement ? Cordialement, Julien Moreau` },
  { d: 'hr', lang: 'fr', q: ['Combien de jours de télétravail sont autorisés ?', 'Qui valide la demande ?'], t:
`À compter du 1er mars, les salariés peuvent télétravailler jusqu'à deux jours par semaine, après accord de leur responsable. Les jours de télétravail doivent être déclarés dans l'outil RH au plus tard le vendredi précédent. Une indemnité forfaitaire de 20 euros par mois est versée pour couvrir les frais. Le télétravail n'est pas possible pendant la période d'essai.` },
  { d: 'news', lang: 'fr', q: ['Combien coûte le projet ?', 'Quand les travaux commenceront-ils ?'], t:
`La métropole a présenté mardi son projet de nouvelle ligne de tramway, qui reliera la gare centrale au campus universitaire en 22 minutes. Le chantier, estimé à 310 millions d'euros, doit débuter au printemps 2025 pour une mise en service fin 2028. Les commerçants du centre-ville s'inquiètent des perturbations pendant les travaux, tandis que les associations d'usagers saluent une avancée attendue depuis dix ans.` },
  { d: 'legal', lang: 'de', q: ['Wie lang ist die Kündigungsfrist?', 'Wann ist die Miete fällig?'], t:
`Das Mietverhältnis beginnt am 1. April 2024 und läuft auf unbestimmte Zeit. Die monatliche Kaltmiete beträgt 980 Euro, zuzüglich einer Nebenkostenvorauszahlung von 210 Euro. Die Miete ist spätestens am dritten Werktag eines jeden Monats im Voraus zu zahlen. Die Kündigungsfrist beträgt drei Monate zum Monatsende. Die Kaution in Höhe von drei Kaltmieten ist zu Beginn des Mietverhältnisses zu leisten.` },
  { d: 'support', lang: 'de', q: ['Was ist mit der Lieferung passiert?', 'Was möchte der Kunde?'], t:
`Sehr geehrte Damen und Herren, meine Bestellung Nr. 7734120 sollte laut Sendungsverfolgung am Freitag zugestellt werden, ist aber bis heute nicht angekommen. Laut DHL wurde das Paket beim Nachbarn abgegeben, doch dort ist nichts angekommen. Ich bitte um eine Ersatzlieferung oder die Erstattung des Kaufpreises von 89,90 Euro. Mit freundlichen Grüßen, Sabine Keller` },
  { d: 'it_ops', lang: 'de', q: ['Welcher Dienst war betroffen?', 'Was war die Ursache?'], t:
`Störungsbericht: Am Mittwoch zwischen 9:15 und 10:05 Uhr war der E-Mail-Dienst für etwa 600 Mitarbeitende nicht erreichbar. Ursache war ein abgelaufenes TLS-Zertifikat auf dem Mail-Gateway. Das Zertifikat wurde erneuert und der Dienst neu gestartet. Künftig soll ein automatisches Monitoring 30 Tage vor Ablauf warnen.` },
  { d: 'ecommerce', lang: 'es', q: ['¿Qué le gustó al cliente?', '¿Cuánto tardó el envío?'], t:
`Compré esta cafetera hace un mes y estoy encantada. Prepara un espresso con buena crema y la espumadora de leche funciona muy bien. El envío tardó solo dos días. Lo único malo es que el depósito de agua es pequeño y hay que rellenarlo a menudo. Por el precio, la recomiendo sin dudarlo.` },
  { d: 'hr', lang: 'es', q: ['¿Cuándo empieza el nuevo horario?', '¿Qué días son de jornada intensiva?'], t:
`Estimado equipo: a partir del 1 de julio y hasta el 31 de agosto aplicaremos la jornada intensiva de lunes a jueves, de 8:00 a 15:00. Los viernes se mantendrá el horario habitual de 9:00 a 14:00. Quienes necesiten un horario distinto por motivos familiares deben solicitarlo a su responsable antes del 20 de junio. Gracias por vuestra colaboración. Recursos Humanos` },
  { d: 'medical', lang: 'es', q: ['¿Qué síntomas tiene el paciente?', '¿Qué tratamiento se indicó?'], t:
`Paciente de 34 años que acude por fiebre de 38,5 °C, dolor de garganta y dificultad para tragar desde hace tres días. Exploración: amígdalas hipertróficas con exudado, adenopatías cervicales dolorosas. Test rápido de estreptococo positivo. Se pauta amoxicilina 500 mg cada 8 horas durante 10 días, paracetamol si hay fiebre y reposo. Control si no mejora en 72 horas.` },
  { d: 'finance', lang: 'it', q: ['Di quanto è cresciuto il fatturato?', 'Qual è l\'utile netto?'], t:
`Nel primo semestre il fatturato del gruppo è salito a 214 milioni di euro, in crescita del 7% rispetto allo stesso periodo dell'anno precedente. L'EBITDA si è attestato a 38 milioni, con un margine del 17,8%. L'utile netto è stato di 15,2 milioni. La posizione finanziaria netta è migliorata grazie alla cessione di un immobile non strategico.` },
  { d: 'logistics', lang: 'pt', q: ['Quando a carga será entregue?', 'Qual foi o motivo do atraso?'], t:
`Prezado cliente, informamos que a sua carga referente ao pedido 55120 sofreu um atraso devido à greve dos caminhoneiros no porto de Santos. A nova previsão de entrega é dia 28 de novembro. Pedimos desculpas pelo transtorno e seguimos à disposição para quaisquer esclarecimentos.` },
  { d: 'government', lang: 'en', q: ['Who is eligible for the grant?', 'What is the application deadline?'], t:
`The Small Business Energy Upgrade Grant reimburses up to 50% of the cost of insulation, heat pumps and LED lighting, capped at $15,000 per business. Eligible applicants are businesses with fewer than 50 employees and annual revenue below $5 million that own or lease premises in the county. Applications open on February 1 and close on April 30 or when funds are exhausted. Work must not begin before approval.` },
  { d: 'sports', lang: 'en', q: ['What was the final score?', 'Who scored the winning goal?'], t:
`City came from behind to beat Rovers 3-2 on Saturday. Rovers led 2-0 at half-time through goals from Kessler and an own goal, but a tactical switch to three at the back turned the game. Amaro pulled one back in the 58th minute, Delaney equalised from a corner, and 19-year-old substitute Noor Haddad fired in the winner in stoppage time. City move up to fourth, two points off the playoff places.` },
  { d: 'science', lang: 'en', q: ['What did the probe detect?', 'When will more data arrive?'], t:
`The probe's spectrometer detected water ice in permanently shadowed craters near the moon's south pole, at concentrations of up to 5% by weight in the upper metre of soil. Scientists cautioned that the readings come from a single pass and need confirmation. The next orbital pass over the region is scheduled for late January, and a full data release is planned for the summer.` },
  { d: 'chat_log', lang: 'en', q: ['What time did they agree to meet?', 'Who is bringing the cake?'], t:
`[10:02] Sam: are we still on for Saturday?
[10:05] Ana: yes! 7pm at mine
[10:06] Sam: cool, I'll bring drinks
[10:07] Ana: Jo said she'd bake the cake
[10:15] Jo: chocolate or lemon?
[10:16] Ana: lemon pls, Mark is allergic to chocolate
[10:20] Sam: can we make it 7:30? I finish work late
[10:21] Ana: sure 7:30 works` },
  { d: 'policy', lang: 'en', q: ['How long is data retained?', 'Can users request deletion?'], t:
`We retain account data for as long as your account is active and for 24 months after closure, unless a longer period is required by law. Server logs are kept for 90 days. You may request a copy of your data or its deletion at any time by writing to privacy@example.org; we respond within 30 days. We do not sell personal data. Service providers process data on our behalf under written contracts.` },
];

// Short items (one to three sentences): reviews, messages, headlines, tickets.
export const SHORT = [
  'The delivery was two days late and the box was crushed, but the product itself works fine.',
  'Absolutely love this blender, makes smoothies in seconds!!!',
  'Worst customer service I have ever dealt with. Never again.',
  'Can you reset my password? I am locked out of my account since this morning.',
  'I was charged twice for the same subscription this month.',
  'The new update drains my battery in four hours.',
  'Central bank raises interest rates by a quarter point to curb inflation.',
  'Local team wins championship after dramatic penalty shootout.',
  'Congratulations! You have won a $1,000 gift card. Click here to claim now.',
  'Meeting moved to 3pm, same room.',
  'The hotel room was clean but the walls were paper thin.',
  'Please cancel my order #44120, I found it cheaper elsewhere.',
  'Our server in eu-west is returning 502 errors since the last deploy.',
  'The film was beautifully shot but painfully slow.',
  'I would like to know whether you ship to Norway.',
  'Your package has been delivered to the front desk.',
  'Le produit est arrivé cassé et personne ne répond à mes e-mails.',
  'Service impeccable, livraison rapide, je recommande !',
  'Die Lieferung kam pünktlich, aber die Qualität ist enttäuschend.',
  'El pedido llegó incompleto, falta el cargador.',
  'Me encanta este restaurante, la comida es deliciosa y el personal muy amable.',
  'Ich möchte mein Abonnement zum Monatsende kündigen.',
  'Il volo è stato cancellato senza alcun preavviso.',
  'Scientists discover a new species of frog in the Andes.',
  'Stock markets fell sharply after weak manufacturing data.',
  'The app is okay, nothing special.',
  'Can I change the delivery address after the order has shipped?',
  'URGENT: production database is down, customers cannot log in.',
  'Thanks for the quick fix, everything works now.',
  'The invoice shows the wrong VAT number for our company.',
  'I think the new logo looks cheap compared to the old one.',
  'Our team needs two more licences for the design tool.',
  'The patient reports mild headache and nausea after the second dose.',
  'Quarterly earnings beat analyst expectations by 12 percent.',
  'Is the conference room on the third floor free on Friday afternoon?',
  'This is the third time my laptop has been sent back for the same hinge problem.',
  'Great value, though the instructions were only in Chinese.',
  'Free crypto giveaway!!! Send 0.1 BTC and receive 1 BTC back.',
  'The keynote speaker was inspiring and the workshops were practical.',
  'My manager keeps scheduling meetings during my lunch break.',
];

// Code snippets for code tasks (cloud kind) that carry pasted content.
export const CODE = [
  { lang: 'python', t: `def average(nums):\n    total = 0\n    for n in nums:\n        total += n\n    return total / len(nums)\n\nprint(average([]))` },
  { lang: 'javascript', t: `async function loadUsers() {\n  const res = fetch('/api/users');\n  const data = await res.json();\n  return data.map(u => u.name);\n}` },
  { lang: 'sql', t: `SELECT c.name, COUNT(o.id)\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\nWHERE o.created_at > '2024-01-01'\nGROUP BY c.name;` },
  { lang: 'go', t: `func worker(jobs <-chan int, results chan<- int) {\n\tfor j := range jobs {\n\t\tresults <- j * 2\n\t}\n}\n\nfunc main() {\n\tjobs := make(chan int)\n\tresults := make(chan int)\n\tgo worker(jobs, results)\n\tjobs <- 1\n\tfmt.Println(<-results)\n}` },
  { lang: 'java', t: `public class Counter {\n    private int count = 0;\n    public void increment() { count++; }\n    public int get() { return count; }\n}` },
  { lang: 'c', t: `char *copy(const char *s) {\n    char *d = malloc(strlen(s));\n    strcpy(d, s);\n    return d;\n}` },
  { lang: 'rust', t: `fn longest(a: &str, b: &str) -> &str {\n    if a.len() > b.len() { a } else { b }\n}` },
  { lang: 'bash', t: `for f in $(ls *.log); do\n  gzip $f\n  mv $f.gz /archive/\ndone` },
  { lang: 'typescript', t: `interface User { id: number; email?: string }\nfunction domain(u: User): string {\n  return u.email.split('@')[1];\n}` },
  { lang: 'python', t: `import pandas as pd\ndf = pd.read_csv('sales.csv')\nfor i in range(len(df)):\n    df.loc[i, 'total'] = df.loc[i, 'price'] * df.loc[i, 'qty']\nprint(df.groupby('region').total.sum())` },
];
