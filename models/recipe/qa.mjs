// Generated reading-comprehension text: a short templated passage (names, objects, places,
// rare words, numbers), a distractor sentence about something else, then one to three
// "Question: ... Answer: ..." pairs whose answers are copied verbatim from the passage.
// Deterministic for a given seed. Contains no evaluation items (it is built only from the
// word lists below and random invented words).

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const W = (s) => s.trim().split(/\s*\|\s*|\n/).filter(Boolean);
const FIRST_F = W(`Alice|Maria|Nora|Grace|Ada|Lena|Ruth|Clara|Hannah|Iris|Julia|Mei|Priya|Fatima|Sofia|Elena|Amara|Yuki|Olga|Rosa|Ingrid|Leila|Chloe|Emma|Zara|Helen|Martha|Beatrice|Lucia|Keiko|Anika|Freya|Tess|Vera|Naomi|Esther|Irene|Mabel|Opal|Dora`);
const FIRST_M = W(`Tom|David|Omar|Lucas|Felix|Henry|Samuel|Ivan|Kenji|Ravi|Pedro|Hugo|Arthur|Leo|Mateo|Jonas|Victor|Elias|Oscar|Noah|Amir|Tariq|Bruno|Carl|Diego|Edwin|Frank|George|Isaac|Jack|Kofi|Liam|Marco|Nils|Otto|Paul|Quentin|Rufus|Simon|Walter`);
const SURNAMES = W(`Smith|Okafor|Larsen|Moreau|Tanaka|Garcia|Novak|Fischer|Kowalski|Brennan|Abbott|Delgado|Hughes|Ivanova|Jensen|Khan|Lindqvist|Mendes|Nakamura|Osei|Petrov|Quinn|Rossi|Schmidt|Thorne|Umar|Varga|Whitfield|Xu|Young|Zeller|Achebe|Bauer|Castillo|Dunmore|Ellery|Farrow|Greaves|Holloway|Ashby`);
const TOWNS = W(`Millbrook|Ashford|Dunmore|Kestrel Bay|Willowmere|Stonehaven|Port Elris|Greyfield|Hollow Creek|Ambervale|Northwick|Saltmarsh|Redcliff|Brackenridge|Fernhill|Lowmoor|Eastbury|Cobble Hill|Marrow Point|Thistledown|Oakhurst|Silverton|Glenmoor|Briarwood|Carrow|Pinehaven|Westmere|Rookby|Larkspur|Tidewater`);
const CITIES = W(`Lisbon|Oslo|Kyoto|Nairobi|Lima|Quebec|Krakow|Dublin|Porto|Seville|Bergen|Tbilisi|Hanoi|Accra|Valparaiso|Tallinn|Cusco|Lyon|Trieste|Adelaide`);
const RIVERS = W(`Amber|Sill|Tarn|Wendle|Corran|Esk|Marrow|Blackwater|Lune|Severn|Ouse|Avon|Tamsin|Fallow|Idle|Greta|Kennet|Loddon|Frome|Teme`);
const COLORS = W(`red|blue|green|yellow|purple|orange|silver|grey|white|black|brown|crimson|teal|golden|violet|amber|ivory|scarlet|indigo|olive`);
const OBJECTS = W(`lantern|compass|violin|notebook|kettle|telescope|umbrella|teapot|key|clock|map|hammer|basket|ladder|candle|mirror|quilt|drum|flute|chess set|bicycle|camera|globe|locket|pocket watch|paintbrush|saddle|anchor|spyglass|typewriter|rope|shovel|bell|vase|feather|ring|scarf|glove|hat|satchel`);
const CONTAINERS = W(`drawer|box|cupboard|basket|trunk|wardrobe|cellar|attic|shed|barn|chest|suitcase|safe|pantry|bag|locker|garage|closet|jar|crate`);
const ROOMS = W(`kitchen|library|garden|attic|hallway|bedroom|workshop|greenhouse|cellar|study|porch|barn|classroom|bakery|station|museum|chapel|market|harbor|lighthouse`);
const JOBS = W(`baker|carpenter|teacher|nurse|fisherman|librarian|blacksmith|gardener|doctor|tailor|potter|sailor|farmer|painter|clockmaker|miller|shepherd|architect|pharmacist|mapmaker|beekeeper|glassblower|weaver|bookbinder|surveyor`);
const FOODS = W(`apples|bread|cheese|honey|fish|rice|carrots|soup|plums|walnuts|barley|oats|figs|berries|eggs|beans|cabbage|pears|mushrooms|acorns|seeds|insects|worms|grass|clover`);
const ANIMALS = W(`dog|cat|parrot|horse|goat|rabbit|tortoise|owl|ferret|donkey|canary|hedgehog|pony|goose|lizard`);
const PETNAMES = W(`Biscuit|Pepper|Shadow|Comet|Maple|Button|Juniper|Pickles|Rusty|Socks|Willow|Nutmeg|Ziggy|Clover|Bramble|Marble|Pip|Tinker|Sable|Fig`);
const PARTS = W(`leaves|roots|stems|bark|flowers|seeds|fruit|buds|branches|needles|bulbs|petals|shoots|pods|tubers`);
const PLANTS = W(`oak trees|wheat|apple trees|potatoes|roses|tomatoes|grapevines|barley|birch trees|cabbages|pine trees|beans|maize|olive trees|strawberries|tea plants|coffee plants|willows|ferns|lilies`);
const SEASONS = W(`spring|summer|autumn|winter|the rainy season|the dry season|early spring|late summer|midwinter|the harvest`);
const MONTHS = W(`January|February|March|April|May|June|July|August|September|October|November|December`);
const DAYS = W(`Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`);
const MATERIALS = W(`brass|oak|iron|copper|bone|glass|clay|bamboo|silver|stone|walnut wood|leather|tin|steel|ivory|horn|pewter|slate|cedar|bronze`);
const REGIONS = W(`the northern mountains|the southern marshes|the eastern islands|the western deserts|the high plateau|the coastal cliffs|the river delta|the cloud forests|the salt flats|the frozen tundra|the volcanic valleys|the old pine forests`);
const ANIMAL_KIND = W(`beetle|bird|frog|lizard|moth|fish|snail|bat|spider|mouse|salamander|crab|butterfly|eel|toad`);
const FEATURES = W(`wings|spots|stripes|claws|feathers|scales|eyes|antennae|fins|shells`);
const SIZES = W(`small|tiny|large|slender|stout|long|short|heavy|pale|dark`);
const EVENTS = W(`fair|concert|race|festival|market|chess tournament|baking contest|boat race|poetry reading|flower show|spelling bee|kite festival|lantern parade|science fair|quilt show`);
const VENUES = W(`town hall|old mill|harbor|village green|library|school gym|market square|riverside park|church hall|community center`);
const PRIZES = W(`a silver cup|a gold medal|a blue ribbon|a brass trophy|a small painting|a basket of pears|a new bicycle|a book of maps|a wooden clock|a glass vase`);
const DISHES = W(`plum cake|barley soup|onion bread|fish stew|apple pie|lentil soup|honey biscuits|walnut bread|pumpkin pie|rice pudding|herb dumplings|cheese scones`);
const INGREDIENTS = W(`flour|butter|sugar|salt|milk|eggs|honey|oats|cream|yeast|cinnamon|ginger|raisins|lemon juice|olive oil|pepper|garlic|onions|carrots|thyme`);
const TOOLS_VERB = W(`measure|polish|carve|trim|mend|sharpen|smooth|fold|split|stitch|weigh|mark|shape|test|clean`);
const THINGS = W(`leather|rope|glass|timber|nets|sails|lenses|stones|metal sheets|paper|cloth|horseshoes|barrels|beams|wire`);
const SUBJECTS = W(`history|music|geography|chemistry|poetry|astronomy|botany|mathematics|painting|architecture|navigation|medicine|weaving|philosophy|geology`);
const INSTRUMENTS = W(`piano|violin|cello|flute|trumpet|harp|guitar|clarinet|drums|accordion|oboe|banjo`);

const SYL_A = W(`bra|clo|dra|fen|gla|hol|ith|kar|lum|mor|nev|osk|pel|quor|ral|sim|tor|ulv|ves|wyn|zar|thal|cren|prim|sor|bel|gar|dun|fal|lir`);
const SYL_B = W(`a|e|i|o|u|ae|io|ea|y|ou`);
const SYL_C = W(`th|n|x|ll|r|s|ck|m|sk|nd|rt|ph|st|l|d|ne|rn|ve|te|lt`);
const SUFFIX_DISEASE = W(`itis|osis|blight|rot|wilt|scale|mildew|canker|spot`);

export function generateQA(seed, targetChars) {
  const rnd = mulberry32(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const chance = (p) => rnd() < p;
  const other = (a, x) => { let y; do { y = pick(a); } while (y === x && a.length > 1); return y; };
  const shuffle = (a) => { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; };
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const rare = () => { let w = pick(SYL_A) + pick(SYL_B) + pick(SYL_C); if (chance(0.5)) w += pick(SYL_B) + pick(SYL_C); return w; };
  const person = () => { const f = chance(0.5); return { first: pick(f ? FIRST_F : FIRST_M), last: pick(SURNAMES), he: f ? 'she' : 'he', his: f ? 'her' : 'his', him: f ? 'her' : 'him' }; };
  const num = () => (chance(0.7) ? String(int(2, 99)) : String(int(100, 9999)));
  const year = () => String(int(1600, 2020));
  const art = (w) => (/^[aeiou]/i.test(w) ? 'an ' : 'a ') + w;

  // Each template returns { facts: [sentences], distractor: sentence, qa: [[q, a], ...] }
  const templates = [
    () => { // person profile
      const p = person(); const q = person(); const town = pick(TOWNS); const job = pick(JOBS); const color = pick(COLORS);
      const n = int(2, 12); const obj = pick(OBJECTS); const day = pick(DAYS); const age = int(19, 88);
      return {
        facts: [`${p.first} ${p.last} lived in ${town}.`, `${cap(p.he)} worked as ${art(job)} and was ${age} years old.`,
          `Every ${day}, ${p.first} walked to the ${pick(ROOMS)} to buy ${n} new candles.`, `${p.first}'s favorite color was ${color}, and ${p.his} most treasured possession was an old ${obj}.`],
        distractor: `${q.first} ${q.last}, a ${other(JOBS, job)} from ${other(TOWNS, town)}, preferred ${other(COLORS, color)}.`,
        qa: [[`Where did ${p.first} live?`, town], [`What was ${p.first}'s job?`, art(job)], [`How old was ${p.first}?`, `${age} years old`],
          [`What was ${p.first}'s favorite color?`, color], [`How many candles did ${p.first} buy?`, String(n)], [`On which day did ${p.first} walk to buy candles?`, day],
          [`What was ${p.first}'s most treasured possession?`, `an old ${obj}`]],
      };
    },
    () => { // plant disease / rare word
      const w = cap(rare()) + ' ' + pick(SUFFIX_DISEASE); const plant = pick(PLANTS); const part = pick(PARTS); const season = pick(SEASONS);
      const p = person(); const y = year(); const pct = int(5, 95);
      return {
        facts: [`${w} is a disease that affects ${plant}.`, `It occurs mainly in the ${part} and spreads during ${season}.`,
          `It was first described in ${y} by ${p.first} ${p.last}.`, `In bad years it can destroy ${pct} percent of a crop.`],
        distractor: `A different disease, ${cap(rare())} ${pick(SUFFIX_DISEASE)}, attacks the ${other(PARTS, part)} of ${other(PLANTS, plant)}.`,
        qa: [[`Where does it occur?`, `the ${part}`], [`Where does ${w} occur?`, `in the ${part}`], [`Which plants does ${w} affect?`, plant],
          [`When does ${w} spread?`, `during ${season}`], [`When was ${w} first described?`, y], [`Who first described ${w}?`, `${p.first} ${p.last}`],
          [`How much of a crop can ${w} destroy?`, `${pct} percent`]],
      };
    },
    () => { // invented tool
      const w = rare(); const mat = pick(MATERIALS); const job = pick(JOBS); const verb = pick(TOOLS_VERB); const thing = pick(THINGS); const town = pick(TOWNS); const cm = int(3, 90);
      return {
        facts: [`A ${w} is a ${pick(SIZES)} tool made of ${mat}.`, `It is used by ${job}s to ${verb} ${thing}.`,
          `The oldest known ${w} was found near ${town}.`, `A typical ${w} is about ${cm} centimeters long.`],
        distractor: `A ${rare()}, by contrast, is made of ${other(MATERIALS, mat)} and is used to ${other(TOOLS_VERB, verb)} ${other(THINGS, thing)}.`,
        qa: [[`What is a ${w} made of?`, mat], [`Who uses a ${w}?`, `${job}s`], [`What is a ${w} used for?`, `to ${verb} ${thing}`],
          [`Where was the oldest known ${w} found?`, `near ${town}`], [`How long is a typical ${w}?`, `about ${cm} centimeters`]],
      };
    },
    () => { // event
      const town = pick(TOWNS); const ev = pick(EVENTS); const venue = pick(VENUES); const m = pick(MONTHS); const d = int(1, 28); const y = year();
      const n = int(12, 4000); const p = person(); const prize = pick(PRIZES);
      return {
        facts: [`On ${m} ${d}, ${y}, ${town} held its annual ${ev} at the ${venue}.`, `${n} people attended.`,
          `The first prize, ${prize}, went to ${p.first} ${p.last}.`, `The event ended at ${int(5, 11)} o'clock in the evening.`],
        distractor: `The ${other(EVENTS, ev)} in ${other(TOWNS, town)} was held in ${other(MONTHS, m)} instead.`,
        qa: [[`Where was the ${ev} held?`, `at the ${venue}`], [`How many people attended the ${ev}?`, String(n)], [`Who won the first prize?`, `${p.first} ${p.last}`],
          [`What was the first prize?`, prize], [`When was the ${ev} held?`, `On ${m} ${d}, ${y}`.replace(/^On/, 'on')], [`Which town held the ${ev}?`, town]],
      };
    },
    () => { // geography
      const town = pick(TOWNS); const river = pick(RIVERS); const n = int(2, 180); const city = pick(CITIES); const prod = pick(FOODS.concat(THINGS)); const pop = int(120, 90000);
      const y = year();
      return {
        facts: [`The village of ${town} lies on the ${river} River, ${n} miles north of ${city}.`, `It is known for its ${prod}.`,
          `About ${pop} people live there.`, `Its stone bridge was built in ${y}.`],
        distractor: `${other(TOWNS, town)}, on the ${other(RIVERS, river)} River, is known for its ${other(FOODS, prod)}.`,
        qa: [[`Which river does ${town} lie on?`, `the ${river} River`], [`How far is ${town} from ${city}?`, `${n} miles`], [`What is ${town} known for?`, `its ${prod}`],
          [`How many people live in ${town}?`, `About ${pop}`.toLowerCase()], [`When was the bridge in ${town} built?`, `in ${y}`]],
      };
    },
    () => { // object transfer
      const a = person(); let b = person(); while (b.first === a.first) b = person();
      const color = pick(COLORS); const obj = pick(OBJECTS); const cont = pick(CONTAINERS); const room = pick(ROOMS); const day = pick(DAYS);
      return {
        facts: [`On ${day}, ${a.first} gave ${b.first} a ${color} ${obj}.`, `${b.first} thanked ${a.him} and carried the ${obj} to the ${room}.`,
          `Later, ${b.first} put the ${obj} in the ${cont}.`],
        distractor: `Meanwhile, ${person().first} lost a ${other(COLORS, color)} ${other(OBJECTS, obj)} somewhere in the ${other(ROOMS, room)}.`,
        qa: [[`Where did ${b.first} put the ${obj}?`, `in the ${cont}`], [`Who gave ${b.first} the ${obj}?`, a.first], [`What color was the ${obj}?`, color],
          [`What did ${a.first} give ${b.first}?`, `a ${color} ${obj}`], [`Where did ${b.first} carry the ${obj}?`, `to the ${room}`], [`On which day did ${a.first} give the gift?`, day]],
      };
    },
    () => { // pet
      const p = person(); const an = pick(ANIMALS); const nm = pick(PETNAMES); const age = int(1, 19); const food = pick(FOODS); const color = pick(COLORS);
      return {
        facts: [`${p.first}'s ${an} is named ${nm}.`, `${nm} is ${age} years old and likes to eat ${food}.`, `${nm} sleeps on a ${color} blanket by the window.`],
        distractor: `${p.first}'s neighbor has a ${other(ANIMALS, an)} called ${other(PETNAMES, nm)} that eats ${other(FOODS, food)}.`,
        qa: [[`What is the name of ${p.first}'s ${an}?`, nm], [`How old is ${nm}?`, `${age} years old`], [`What does ${nm} like to eat?`, food],
          [`What kind of animal is ${nm}?`, art(an)], [`What color is ${nm}'s blanket?`, color]],
      };
    },
    () => { // code / numbers
      const room = pick(ROOMS); const code = String(int(1000, 99999)); const p = person(); const floor = int(2, 40); const key = pick(COLORS);
      return {
        facts: [`The code for the ${room} door is ${code}.`, `Only ${p.first} ${p.last} knows it.`, `The ${room} is on floor ${floor}, and the spare key is kept under a ${key} stone.`],
        distractor: `The code for the ${other(ROOMS, room)} door was changed last week.`,
        qa: [[`What is the code for the ${room} door?`, code], [`Who knows the code?`, `${p.first} ${p.last}`], [`Which floor is the ${room} on?`, `floor ${floor}`],
          [`Where is the spare key kept?`, `under a ${key} stone`]],
      };
    },
    () => { // animal species
      const w = cap(rare()); const kind = pick(ANIMAL_KIND); const size = pick(SIZES); const region = pick(REGIONS); const food = pick(FOODS); const color = pick(COLORS); const feat = pick(FEATURES);
      const life = int(2, 60);
      return {
        facts: [`The ${w} ${kind} is a ${size} animal found only in ${region}.`, `It feeds on ${food} and has ${color} ${feat}.`, `It can live for ${life} years.`],
        distractor: `Its cousin, the ${cap(rare())} ${kind}, lives in ${other(REGIONS, region)} and eats ${other(FOODS, food)}.`,
        qa: [[`What does the ${w} ${kind} feed on?`, food], [`Where is the ${w} ${kind} found?`, `only in ${region}`], [`What color are its ${feat}?`, color],
          [`How long can the ${w} ${kind} live?`, `${life} years`]],
      };
    },
    () => { // recipe
      const dish = pick(DISHES); const [i1, i2, i3] = shuffle(INGREDIENTS.slice()).slice(0, 3); const mins = int(5, 90); const temp = int(12, 25) * 10; const p = person();
      return {
        facts: [`To make ${dish}, mix ${i1} with ${i2}.`, `Add a little ${i3}, then bake for ${mins} minutes at ${temp} degrees.`, `${p.first}'s grandmother taught ${p.him} this recipe.`],
        distractor: `For ${other(DISHES, dish)}, some cooks use ${other(INGREDIENTS, i1)} instead.`,
        qa: [[`How long should the ${dish} bake?`, `${mins} minutes`], [`What is mixed with ${i1}?`, i2], [`At what temperature is the ${dish} baked?`, `${temp} degrees`],
          [`Who taught ${p.first} the recipe?`, `${p.his} grandmother`], [`What is added after mixing?`, `a little ${i3}`]],
      };
    },
    () => { // school / study
      const p = person(); const subj = pick(SUBJECTS); const city = pick(CITIES); const y = year(); const inst = pick(INSTRUMENTS); const teacher = person();
      return {
        facts: [`${p.first} ${p.last} studied ${subj} in ${city}.`, `${cap(p.his)} teacher was ${teacher.first} ${teacher.last}.`, `${p.first} finished ${p.his} studies in ${y} and in ${p.his} free time played the ${inst}.`],
        distractor: `${person().first} studied ${other(SUBJECTS, subj)} in ${other(CITIES, city)}.`,
        qa: [[`What did ${p.first} study?`, subj], [`Where did ${p.first} study?`, `in ${city}`], [`Who was ${p.first}'s teacher?`, `${teacher.first} ${teacher.last}`],
          [`When did ${p.first} finish ${p.his} studies?`, `in ${y}`], [`Which instrument did ${p.first} play?`, `the ${inst}`]],
      };
    },
    () => { // ship / journey
      const ship = `the ${cap(rare())}`; const capt = person(); const from = pick(CITIES); const to = other(CITIES, from); const days = int(2, 90); const cargo = pick(FOODS.concat(THINGS)); const crew = int(4, 60);
      return {
        facts: [`The ship ${ship.slice(4)} sailed from ${from} to ${to}.`, `Its captain was ${capt.first} ${capt.last}, and it carried ${cargo}.`, `The voyage took ${days} days with a crew of ${crew}.`],
        distractor: `Another ship left ${other(CITIES, from)} the same week carrying ${other(THINGS, cargo)}.`,
        qa: [[`Where did the ship sail to?`, to], [`Where did the ship sail from?`, from], [`Who was the captain?`, `${capt.first} ${capt.last}`], [`What did the ship carry?`, cargo],
          [`How long did the voyage take?`, `${days} days`], [`How many sailors were in the crew?`, String(crew)]],
      };
    },
  ];

  const intros = ['', '', '', 'Read the passage and answer the question.\n\n', 'Passage: ', 'Context: ', 'Read the text below.\n\n'];
  const out = [];
  let total = 0;
  while (total < targetChars) {
    const t = pick(templates)();
    const sents = t.facts.slice();
    // keep the first fact first (it introduces the subject); insert the distractor anywhere after it
    const pos = 1 + Math.floor(rnd() * sents.length);
    sents.splice(pos, 0, t.distractor);
    const passage = sents.join(' ');
    const nq = chance(0.55) ? 1 : chance(0.6) ? 2 : 3;
    const qs = shuffle(t.qa.slice()).slice(0, nq);
    const style = int(0, 3);
    let qaText;
    if (style === 0) qaText = qs.map(([q, a]) => `Question: ${q} Answer: ${a}`).join('\n');
    else if (style === 1) qaText = qs.map(([q, a]) => `Question: ${q}\nAnswer: ${a}`).join('\n\n');
    else if (style === 2) qaText = qs.map(([q, a]) => `Q: ${q}\nA: ${a}`).join('\n');
    else qaText = qs.map(([q, a]) => `Question: ${q}\nAnswer: ${a}.`).join('\n');
    const doc = `${pick(intros)}${passage}\n\n${qaText}`;
    out.push(doc);
    total += doc.length + 13;
  }
  return out;
}
