"""Generated text that teaches the demo model to answer from its context.

Every document is built so that the answer must be *copied* from the passage and chosen over a
distractor of the same kind: a passage of one to four sentences holds one answer-bearing sentence,
one or more sentences of the same shape about another entity, and sometimes unrelated sentences,
in random order, followed by questions whose answers are copied from the passage. Beside the
question/answer documents: indirect-object sentences ("When Ilse and Bram went to the market, Bram
gave a basket to" -> " Ilse"), repeated sequences (induction) and subject-verb agreement across
attractor nouns.

Generalization is what the evaluation measures, so whole templates and whole entity pools are held
out: every frame's last surface template and about a fifth of every entity pool never appear in
training text (split="train"); the evaluation items (split="heldout") use only those.

Pure Python, no dependencies, deterministic for a seed. Built only from the word lists and the
syllable generator below; nothing here comes from any evaluation set.
"""
import json
import random
import re

import phrasings

# ---------------------------------------------------------------- entity pools
_W = lambda s: [w.strip() for w in s.split("|") if w.strip()]  # noqa: E731

REAL_FIRST = _W("Alice|Maria|Nora|Grace|Ada|Lena|Ruth|Clara|Hannah|Iris|Julia|Mei|Priya|Fatima|Sofia|Elena|Amara|Yuki|"
                "Olga|Rosa|Ingrid|Leila|Chloe|Emma|Zara|Helen|Martha|Lucia|Keiko|Anika|Freya|Tess|Vera|Naomi|Esther|"
                "Irene|Mabel|Opal|Dora|Ilse|Tom|David|Omar|Lucas|Felix|Henry|Samuel|Ivan|Kenji|Ravi|Pedro|Hugo|Arthur|"
                "Leo|Mateo|Jonas|Victor|Elias|Oscar|Noah|Amir|Tariq|Bruno|Carl|Diego|Edwin|Frank|George|Isaac|Jack|"
                "Kofi|Liam|Marco|Nils|Otto|Paul|Simon|Walter|Bram|Anton|Boris|Emil|Jasper|Milo|Rafael|Soren|Tobias")
REAL_SURNAMES = _W("Smith|Okafor|Larsen|Moreau|Tanaka|Garcia|Novak|Fischer|Kowalski|Brennan|Abbott|Delgado|Hughes|"
                   "Ivanova|Jensen|Khan|Lindqvist|Mendes|Nakamura|Osei|Petrov|Quinn|Rossi|Schmidt|Thorne|Varga|"
                   "Whitfield|Young|Zeller|Achebe|Bauer|Castillo|Ellery|Farrow|Greaves|Holloway|Ashby|Marsh|Wilde")
OBJECTS = _W("lantern|compass|violin|notebook|kettle|telescope|umbrella|teapot|key|clock|map|hammer|basket|ladder|"
             "candle|mirror|quilt|drum|flute|bicycle|camera|globe|locket|paintbrush|saddle|anchor|spyglass|"
             "typewriter|rope|shovel|bell|vase|feather|ring|scarf|glove|hat|satchel|trumpet|harp|kite|sled|wagon|"
             "barrel|bucket|bowl|jug|pitcher|plate|spoon|ladle|kettledrum|chessboard|puzzle|marble|pebble|shell|"
             "coin|medal|badge|whistle|radio|lamp|stool|bench|cradle|tent|blanket|pillow|cushion|rug|curtain|"
             "banner|flag|ribbon|button|thimble|needle|spindle|loom|chisel|saw|wrench|lever|pulley|magnet|lens|"
             "prism|crystal|fossil|skull|antler|horn|banjo|guitar|cello|accordion|oboe|clarinet|tambourine|sword|"
             "shield|helmet|boot|sandal|belt|purse|wallet|diary|letter|postcard|envelope|parcel|trophy|statue|"
             "puppet|doll|robot|boat|canoe|raft|oar|net|hook|trap|cage|crate|chest|trunk|suitcase")
MATERIALS = _W("brass|oak|iron|copper|bone|glass|clay|bamboo|silver|stone|leather|tin|steel|pewter|slate|cedar|"
               "bronze|wooden|golden|woollen|paper|marble|velvet|linen|ivory|rusty|tiny|heavy|battered|painted")
CONTAINERS = _W("drawer|box|cupboard|wardrobe|cellar|attic|shed|barn|pantry|bag|locker|garage|closet|jar|crate|"
                "cabinet|basement|chest|desk|suitcase|trunk|tin|sack|bin|vault|loft|stable|kitchen|hallway|porch")
PLACES = _W("market|harbor|library|garden|station|museum|chapel|bakery|beach|park|school|river|farm|mill|square|"
            "forest|hill|bridge|castle|village|fair|orchard|quarry|pier|meadow|lighthouse|theatre|cafe|inn|zoo")
JOBS = _W("baker|carpenter|teacher|nurse|fisherman|librarian|blacksmith|gardener|doctor|tailor|potter|sailor|"
          "farmer|painter|clockmaker|miller|shepherd|architect|pharmacist|mapmaker|beekeeper|glassblower|weaver|"
          "bookbinder|surveyor|butcher|cobbler|jeweller|locksmith|mason|plumber|printer|saddler|tanner|"
          "watchmaker|chemist|dentist|engineer|judge|lawyer|pilot|poet|singer|violinist|sculptor|banker|"
          "cook|driver|guard|hunter|juggler|knitter|miner|porter|ranger|roofer|welder|brewer")
ANIMALS = [("dog", "dogs"), ("cat", "cats"), ("parrot", "parrots"), ("horse", "horses"), ("goat", "goats"),
           ("rabbit", "rabbits"), ("tortoise", "tortoises"), ("owl", "owls"), ("ferret", "ferrets"),
           ("donkey", "donkeys"), ("canary", "canaries"), ("hedgehog", "hedgehogs"), ("pony", "ponies"),
           ("goose", "geese"), ("lizard", "lizards"), ("pig", "pigs"), ("duck", "ducks"), ("hen", "hens"),
           ("cow", "cows"), ("sheep", "sheep"), ("mouse", "mice"), ("frog", "frogs"), ("crow", "crows"),
           ("pigeon", "pigeons"), ("hamster", "hamsters"), ("turtle", "turtles"), ("snake", "snakes"),
           ("fox", "foxes"), ("bee", "bees"), ("beetle", "beetles")]
ITEMS = [("apple", "apples"), ("pear", "pears"), ("egg", "eggs"), ("candle", "candles"), ("book", "books"),
         ("stamp", "stamps"), ("coin", "coins"), ("shirt", "shirts"), ("plum", "plums"), ("lemon", "lemons"),
         ("loaf", "loaves"), ("jar", "jars"), ("box", "boxes"), ("ticket", "tickets"), ("brush", "brushes"),
         ("cup", "cups"), ("nail", "nails"), ("brick", "bricks"), ("rope", "ropes"), ("map", "maps"),
         ("key", "keys"), ("chair", "chairs"), ("kite", "kites"), ("onion", "onions"), ("potato", "potatoes"),
         ("bottle", "bottles"), ("pencil", "pencils"), ("letter", "letters"), ("shell", "shells"), ("bell", "bells")]
COLORS = _W("red|blue|green|yellow|purple|orange|silver|grey|white|black|brown|pink|crimson|teal|golden|violet|"
            "amber|scarlet|indigo|olive|maroon|navy|turquoise|beige|lilac|cream|copper|emerald|rust|ochre")
THINGS = _W("bicycle|door|coat|car|boat|house|fence|kite|umbrella|scarf|hat|cup|bag|chair|gate|van|tent|"
            "jacket|dress|bucket|shed|front door|sofa|teapot|ribbon")
VERBS = [("painted", "fence"), ("repaired", "roof"), ("cleaned", "boat"), ("sold", "horse"), ("washed", "car"),
         ("planted", "roses"), ("baked", "bread"), ("mended", "net"), ("visited", "museum"), ("climbed", "hill"),
         ("sang", "hymn"), ("wrote", "letter"), ("read", "newspaper"), ("cooked", "soup"), ("fixed", "clock"),
         ("sanded", "table"), ("swept", "porch"), ("fed", "chickens"), ("carved", "spoon"), ("knitted", "scarf"),
         ("polished", "silver"), ("tuned", "piano"), ("moved", "bookcase"), ("emptied", "attic"),
         ("watered", "garden"), ("drew", "map"), ("built", "shed"), ("bought", "bicycle"), ("stitched", "quilt"),
         ("chopped", "wood"), ("tidied", "desk"), ("photographed", "lighthouse"), ("studied", "map"),
         ("locked", "gate"), ("sorted", "letters"), ("weighed", "flour"), ("measured", "room"),
         ("rowed", "canoe"), ("raked", "leaves"), ("brushed", "pony")]
MONTHS = _W("January|February|March|April|May|June|July|August|September|October|November|December")
DAYS = _W("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
NOUN_PAIRS = [("key", "keys"), ("box", "boxes"), ("lamp", "lamps"), ("book", "books"), ("letter", "letters"),
              ("painting", "paintings"), ("door", "doors"), ("tree", "trees"), ("road", "roads"),
              ("window", "windows"), ("song", "songs"), ("boat", "boats"), ("house", "houses"),
              ("bridge", "bridges"), ("bell", "bells"), ("coat", "coats"), ("cup", "cups"), ("horse", "horses"),
              ("candle", "candles"), ("map", "maps"), ("chair", "chairs"), ("garden", "gardens"),
              ("teacher", "teachers"), ("child", "children"), ("farmer", "farmers"), ("singer", "singers")]

_ONSETS = _W("b|br|c|ch|d|dr|f|fl|g|gr|h|j|k|kl|l|m|n|p|pr|r|s|sh|st|t|th|tr|v|w|z|y")
_MID = _W("b|d|g|k|l|ll|m|n|nd|nt|r|rr|s|ss|st|t|th|v|z|rl|rn|lv|mb|nn|sk")
_VOWELS = _W("a|e|i|o|u|a|e|i|o|ai|ei|ou|ia|y")
_ENDS = _W("n|l|r|s|th|ra|na|la|ko|mir|dor|ven|wen|ric|da|lo|ne|ssa|tta|x|ek|an|is|el|in|on|us|en|ard|wyn")
_TOWN_SUFFIX = _W("ford|wick|mere|haven|by|ton|dale|moor|field|bury|stead|holm|vik|ridge|port|stow|well|brook|"
                  "gate|cliff|minster|thorpe|wood|ley|mouth|ham|burg|wold|fell|combe")


def _invented(rng, n, build, avoid=()):
    seen, out = set(w.lower() for w in avoid), []
    while len(out) < n:
        w = build(rng)
        if 3 <= len(w) <= 10 and w.lower() not in seen:
            seen.add(w.lower())
            out.append(w)
    return out


def _name(rng):
    w = rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_MID) + rng.choice(_VOWELS)
    if rng.random() < 0.6:
        w += rng.choice(_ENDS)
    return w.capitalize()


def _town(rng):
    w = rng.choice(_ONSETS) + rng.choice(_VOWELS) + (rng.choice(_MID) if rng.random() < 0.4 else "")
    return (w + rng.choice(_TOWN_SUFFIX)).capitalize()


def _split(items, rng, heldout_frac=0.2):
    """Deterministic train/held-out split of a pool (shuffled copy; the last fraction is held out)."""
    items = list(items)
    rng.shuffle(items)
    k = max(1, int(round(len(items) * heldout_frac)))
    return {"train": items[:-k], "heldout": items[-k:]}


def build_pools(seed=7):
    rng = random.Random(seed)
    first = REAL_FIRST + _invented(rng, 3000, _name, avoid=REAL_FIRST)
    last = REAL_SURNAMES + _invented(rng, 3000, _name, avoid=REAL_SURNAMES + first)
    towns = _invented(rng, 3000, _town)
    pets = _invented(rng, 2000, _name, avoid=first + last)
    pools = {}
    for key, items in [("first", first), ("last", last), ("town", towns), ("pet", pets), ("object", OBJECTS),
                       ("container", CONTAINERS), ("place", PLACES), ("job", JOBS), ("animal", ANIMALS),
                       ("item", ITEMS), ("thing", THINGS), ("verb", VERBS), ("material", MATERIALS)]:
        pools[key] = _split(items, rng)
    for key, items in [("color", COLORS), ("month", MONTHS), ("day", DAYS), ("noun", NOUN_PAIRS)]:
        pools[key] = {"train": list(items), "heldout": list(items)}  # small closed classes: shared
    return pools


POOLS = build_pools()


# ---------------------------------------------------------------- question/answer frames
# A frame is one kind of fact. Each of its templates is (sentence, [(question, answer slot, form), ...]);
# the support and the distractor sentences use the same template with different entities and values.
# The last template of every frame is held out of training. Slots: {P} the person as written in the
# passage, {p} the person as named in the question, other slots are the frame's values.
FRAMES = {
    "home": [
        ("{P} lives in {town}.", [("Where does {p} live?", "town", "where"), ("In which town does {p} live?", "town", "which")]),
        ("{P}'s home is in {town}.", [("Where is {p}'s home?", "town", "where")]),
        ("{P} has lived in {town} for many years.", [("Where has {p} lived for many years?", "town", "where")]),
        ("The family of {P} settled in {town}.", [("Where did {p}'s family settle?", "town", "where"), ("Which town did {p}'s family settle in?", "town", "which")]),
        ("{P} rents a small room in {town}.", [("Where does {p} rent a room?", "town", "where"), ("In which town does {p} rent a room?", "town", "which")]),
    ],
    "keep": [
        ("{P} keeps a {object} in the {container}.", [("What does {p} keep in the {container}?", "object", "what"), ("Where does {p} keep the {object}?", "container", "where")]),
        ("{P} hid a {object} in the {container}.", [("What did {p} hide in the {container}?", "object", "what"), ("Where did {p} hide the {object}?", "container", "where")]),
        ("In the {container}, {P} found an old {object}.", [("What did {p} find in the {container}?", "object", "what"), ("Where did {p} find the {object}?", "container", "where")]),
        ("{P} left a {object} in the {container}.", [("What did {p} leave in the {container}?", "object", "what"), ("Where did {p} leave the {object}?", "container", "where")]),
        ("{P} stores a {object} inside the {container}.", [("What does {p} store inside the {container}?", "object", "what"), ("Where does {p} store the {object}?", "container", "where")]),
    ],
    "color": [
        ("{P}'s {thing} is {color}.", [("What colour is {p}'s {thing}?", "color", "what colour"), ("What color is {p}'s {thing}?", "color", "what colour")]),
        ("{P} painted the {thing} {color}.", [("What colour did {p} paint the {thing}?", "color", "what colour")]),
        ("{P} has a {color} {thing}.", [("What colour is {p}'s {thing}?", "color", "what colour")]),
        ("{P} bought a {thing} that was {color}.", [("What colour was the {thing} that {p} bought?", "color", "what colour")]),
        ("The {thing} that belongs to {P} is {color}.", [("What colour is the {thing} that belongs to {p}?", "color", "what colour"), ("Which colour is {p}'s {thing}?", "color", "what colour")]),
    ],
    "count": [
        ("{P} has {n} {items}.", [("How many {items} does {p} have?", "n", "how many")]),
        ("{P} bought {n} {items} at the market.", [("How many {items} did {p} buy?", "n", "how many")]),
        ("{P} counted {n} {items} in the {container}.", [("How many {items} did {p} count?", "n", "how many")]),
        ("{P} sold {n} {items} last week.", [("How many {items} did {p} sell?", "n", "how many")]),
        ("There are {n} {items} in {P}'s {container}.", [("How many {items} are in {p}'s {container}?", "n", "how many")]),
    ],
    "pet": [
        ("{P} has a {animal} named {pet}.", [("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
        ("{P}'s {animal} is called {pet}.", [("What is {p}'s {animal} called?", "pet", "what is the name of"), ("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
        ("{P} named the {animal} {pet}.", [("What did {p} name the {animal}?", "pet", "what is the name of")]),
        ("{P} looks after a {animal} called {pet}.", [("What is the name of the {animal} that {p} looks after?", "pet", "what is the name of")]),
        ("{P} owns a {animal}, and its name is {pet}.", [("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
    ],
    "who": [
        ("{P} repaired the {object}.", [("Who repaired the {object}?", "P", "who")]),
        ("{P} found a {object} near the {place}.", [("Who found the {object}?", "P", "who")]),
        ("The {object} was made by {P}.", [("Who made the {object}?", "P", "who")]),
        ("{P} carried the {object} to the {place}.", [("Who carried the {object} to the {place}?", "P", "who")]),
        ("It was {P} who painted the {object}.", [("Who painted the {object}?", "P", "who")]),
    ],
    "which": [
        ("{P} visited {town} in {month}.", [("Which town did {p} visit?", "town", "which")]),
        ("{P} chose the {color} door.", [("Which door did {p} choose?", "color", "which")]),
        ("{P} walked to the {place} after breakfast.", [("Which place did {p} walk to?", "place", "which")]),
        ("{P} sat next to the {object} all evening.", [("Which thing did {p} sit next to?", "object", "which")]),
        ("{P} took the train to {town}.", [("Which town did {p} travel to?", "town", "which")]),
    ],
    "did": [
        ("On {day}, {P} {verb} the {vobj}.", [("What did {p} do on {day}?", "verb", "what did X do")]),
        ("{P} {verb} the {vobj} after lunch.", [("What did {p} do after lunch?", "verb", "what did X do")]),
        ("In the morning {P} {verb} the {vobj}.", [("What did {p} do in the morning?", "verb", "what did X do")]),
        ("Before dinner, {P} {verb} the {vobj}.", [("What did {p} do before dinner?", "verb", "what did X do")]),
        ("Yesterday {P} {verb} the old {vobj}.", [("What did {p} do yesterday?", "verb", "what did X do")]),
    ],
    "job": [
        ("{P} works as a {job}.", [("What is {p}'s job?", "job", "what"), ("What does {p} do for a living?", "job", "what")]),
        ("{P} is a {job} in {town}.", [("What is {p}'s job?", "job", "what")]),
        ("{P} trained for years to become a {job}.", [("What did {p} train to become?", "job", "what")]),
        ("For ten years {P} has been a {job}.", [("What has {p} been for ten years?", "job", "what")]),
        ("{P} earns a living as a {job}.", [("What work does {p} do?", "job", "what"), ("How does {p} earn a living?", "job", "what")]),
    ],
}
QUESTION_FORMS = ["who", "what", "where", "which", "what colour", "how many", "what is the name of", "what did X do"]

# Indirect object: (template, answer slot); the last two are held out.
IOI = [
    "When {A} and {B} went to the {place}, {B} gave a {object} to",
    "After {A} and {B} arrived at the {place}, {B} handed the {object} to",
    "{A} and {B} were at the {place}. {B} passed the {object} to",
    "While {A} and {B} were working at the {place}, {B} threw the {object} to",
    "Then {A} and {B} had a long argument, and afterwards {B} said sorry to",
    "{A} and {B} found a {object} at the {place}. {B} gave it to",
    "When {B} and {A} got to the {place}, {B} showed the {object} to",
    "At the {place}, {A} met {B}. Later, {B} sent a letter to",
    "As {A} and {B} walked home from the {place}, {B} lent a {object} to",
    "{A} and {B} cooked dinner near the {place}, and {B} brought a plate to",
]
REPEAT = [
    "The list reads: {seq}. Once more, the list reads: {seq}",
    "Say these words: {seq}. Now say them again: {seq}",
    "Order of arrival: {seq}. Repeat the order of arrival: {seq}",
    "{seq}. {seq}",
    "The code words are {seq}. To confirm, the code words are {seq}",
]
AGREE = [
    ("The {s} near the {o} {v}", "near"),
    ("The {s} beside the old {o} {v}", "beside"),
    ("The {s} that {P} left by the {o} {v}", "left by"),
    ("The {s} behind the {o} in the {place} {v}", "behind"),
    ("The {s} next to the {o} of the {place} {v}", "next to"),
]
AGREE_VERBS = [("is", "are"), ("was", "were"), ("has", "have")]


def _templates(seq, split, extra=()):
    """Training: every template but the last, plus the extra training-only phrasings; held out: the
    last; "seen": every template but the last, without the extras (what the GPU-trained model saw)."""
    return {"train": seq[:-1] + list(extra), "heldout": seq[-1:], "seen": seq[:-1]}[split]


def _templates_ioi(split):
    return {"train": IOI[:-2] + phrasings.EXTRA_IOI, "heldout": IOI[-2:], "seen": IOI[:-2]}[split]


phrasings.check(FRAMES, IOI, REPEAT, AGREE)
phrasings.check_verbs(POOLS["verb"]["heldout"])


class Gen:
    def __init__(self, seed, split, templates=None, frame_weights=None):
        assert split in ("train", "heldout")
        self.rng = random.Random(seed)
        self.frame_weights = frame_weights  # {frame: weight}; frames not named weigh 1
        self.split = split  # entity pools (and, by default, templates)
        self.tsplit = templates or split
        self.p = {k: v[split] for k, v in POOLS.items()}
        if split == "train":  # training-only verbs widen what "what did X do" may copy
            self.p["verb"] = self.p["verb"] + phrasings.EXTRA_VERBS

    def pick(self, key, not_like=()):
        """A value of the pool whose first word differs from every value in not_like (so the
        answer's first token tells support from distractor)."""
        firsts = {self._first(v) for v in not_like}
        for _ in range(100):
            v = self.rng.choice(self.p[key])
            if self._first(v) not in firsts:
                return v
        raise RuntimeError(f"pool {key} too small")

    @staticmethod
    def _first(v):
        s = v[0] if isinstance(v, tuple) else v
        return s.split()[0].lower()[:3]

    def person(self, not_like=()):
        firsts = {x["first"].lower()[:3] for x in not_like}
        while True:
            first = self.rng.choice(self.p["first"])
            if first.lower()[:3] not in firsts:
                break
        last = self.rng.choice(self.p["last"])
        full = self.rng.random() < 0.5
        return {"first": first, "written": f"{first} {last}" if full else first}

    def frame_values(self, frame, others):
        """Values for one entity of a frame, first words distinct from the other entities'."""
        r = self.rng
        v = {}
        keys = {"home": ["town"], "keep": ["object", "container"], "color": ["color"], "count": ["n"],
                "pet": ["pet"], "who": ["object", "place"], "which": ["town", "color", "place", "object", "month"],
                "did": ["verb", "day"], "job": ["job", "town"]}[frame]
        for k in keys:
            prev = [o[k] for o in others if k in o]
            if k == "n":
                while True:
                    n = str(r.randint(2, 99))
                    if n[0] not in {x[0] for x in prev}:
                        break
                v[k] = n
            elif k == "verb":
                vb = self.pick("verb", [(x,) for x in prev])
                v["verb"], v["vobj"] = vb
            elif k == "object":
                obj = self.pick("object", prev)
                v[k] = obj
            else:
                v[k] = self.pick(k, prev)
        return v

    def qa_document(self, frame=None, layout=None, n_distractors=None):
        r = self.rng
        if frame is None and self.frame_weights:
            frame = r.choices(list(FRAMES), [self.frame_weights.get(f, 1.0) for f in FRAMES])[0]
        frame = frame or r.choice(list(FRAMES))
        sent_t, questions = r.choice(_templates(FRAMES[frame], self.tsplit, phrasings.EXTRA_FRAMES[frame]))
        nd = n_distractors if n_distractors is not None else r.choice([1, 1, 1, 2, 2, 3])
        # shared values make the sentences the same shape (same thing / animal / items / day)
        shared = {"thing": self.pick("thing"), "animal": self.pick("animal"), "item": self.pick("item"),
                  "container": self.pick("container"), "day": self.pick("day"), "place": self.pick("place"),
                  "month": self.pick("month")}
        people, values = [], []
        for _ in range(1 + nd):
            people.append(self.person(people))
            values.append(self.frame_values(frame, values))

        def fill(t, who, val, written):
            d = dict(shared)
            d.update(val)
            d["animal"] = shared["animal"][0]
            d["items"] = shared["item"][1]
            if frame in ("count", "keep"):  # the container of "count"/"keep" varies per entity only for keep
                d["container"] = val.get("container", shared["container"])
            d["P"] = written
            d["p"] = who["first"]
            return _articles(t.format(**d))

        sentences = [self._opened(fill(sent_t, people[i], values[i], people[i]["written"]), sent_t) for i in range(1 + nd)]
        support, distractors = sentences[0], sentences[1:]
        q_t, slot, form = r.choice(questions)
        qa = []
        if self.split == "train" and r.random() < 0.6:  # ask about every entity: more binding signal per passage
            asked = list(range(1 + nd))
            r.shuffle(asked)
            asked.remove(0)
            asked.insert(0, 0)
        else:  # sometimes also ask about a distractor
            asked = [0] + ([r.randrange(1, 1 + nd)] if r.random() < 0.3 else [])
        for i in asked:
            q = fill(q_t, people[i], values[i], people[i]["written"])
            a = people[i]["written"] if slot == "P" else values[i][slot]
            qa.append((q, a))
        fillers = []
        if layout != "paper" and r.random() < 0.4:
            for _ in range(r.randint(1, 2)):
                fillers.append(self._filler(avoid=people))
        layout = layout or r.choices(["paper", "plain", "newline", "qa"], weights=[3, 5, 1, 1])[0]
        if layout == "paper":
            order = [distractors[0], support] if r.random() < 0.7 or self.split == "heldout" else [support, distractors[0]]
            passage_parts = order + distractors[1:]
        else:
            passage_parts = sentences + fillers
            r.shuffle(passage_parts)
        text, spans = self._layout(layout, passage_parts, qa, support, distractors)
        return {"text": text, "kind": "qa", "frame": frame, "form": form, "layout": layout,
                "question": qa[0][0], "answer": qa[0][1], "support": support, "distractors": distractors, **spans}

    def _opened(self, sentence, template):
        """Now and then (training only) an opener before the sentence: the name is not always first."""
        if self.split != "train" or self.rng.random() >= 0.15:
            return sentence
        if not template.startswith("{"):
            sentence = sentence[0].lower() + sentence[1:]
        return self.rng.choice(phrasings.OPENERS) + sentence

    def _layout(self, layout, parts, qa, support, distractors):
        if layout == "paper":
            passage = " <s> ".join(parts) + " <s> "
            sep_q, sep_a, between = "Question: ", " Answer: ", " "
        elif layout == "plain":
            passage = " ".join(parts) + " "
            sep_q, sep_a, between = "Question: ", " Answer: ", " "
        elif layout == "newline":
            passage = " ".join(parts) + "\n"
            sep_q, sep_a, between = "Question: ", "\nAnswer: ", "\n"
        else:
            passage = " ".join(parts) + "\n"
            sep_q, sep_a, between = "Q: ", "\nA: ", "\n"
        text = passage
        prompt_end = None
        for j, (q, a) in enumerate(qa):
            if j:
                text += between
            text += sep_q + q + sep_a.rstrip(" ")
            if j == 0:
                prompt_end = len(text)
            text += " " + a + "."
        return text, {"prompt": text[:prompt_end], "support_span": _span(text, support),
                      "distractor_spans": [_span(text, d) for d in distractors]}

    def _filler(self, avoid):
        frame = self.rng.choice(list(FRAMES))
        sent_t, _ = self.rng.choice(_templates(FRAMES[frame], self.tsplit, phrasings.EXTRA_FRAMES[frame]))
        who = self.person(avoid)
        v = self.frame_values(frame, [])
        d = {"thing": self.pick("thing"), "animal": self.pick("animal")[0], "items": self.pick("item")[1],
             "container": self.pick("container"), "day": self.pick("day"), "place": self.pick("place"),
             "month": self.pick("month"), "P": who["written"], "p": who["first"]}
        d.update(v)
        return _articles(sent_t.format(**d))

    def ioi_document(self):
        r = self.rng
        t = r.choice(_templates_ioi(self.tsplit))
        a = self.person()
        b = self.person([a])
        prompt = _articles(t.format(A=a["first"], B=b["first"], place=self.pick("place"), object=self.pick("object")))
        return {"text": prompt + " " + a["first"] + ".", "kind": "ioi", "form": "indirect object",
                "prompt": prompt, "answer": a["first"], "distractor_answer": b["first"]}

    def repeat_document(self):
        r = self.rng
        t = r.choice(_templates(REPEAT, self.tsplit, phrasings.EXTRA_REPEAT))
        pool = r.choice(["first", "town", "object", "pet", "color"])
        words = []
        while len(words) < r.randint(4, 8):
            w = self.pick(pool, words)
            words.append(w)
        seq = ", ".join(words)
        cut = r.randint(1, len(words) - 1)
        head = ", ".join(words[:cut])
        text = t.format(seq=seq)
        prompt = text[: len(text) - len(seq)] + head + ","
        return {"text": text + ".", "kind": "repeat", "form": "repetition", "prompt": prompt, "answer": words[cut]}

    def agreement_document(self):
        r = self.rng
        t, _ = r.choice(_templates(AGREE, self.tsplit, phrasings.EXTRA_AGREE))
        (s_sg, s_pl), (o_sg, o_pl) = r.sample(self.p["noun"], 2)
        plural = r.random() < 0.5
        verbs = r.choice(AGREE_VERBS)
        subj, obj = (s_pl, o_sg) if plural else (s_sg, o_pl)  # the attractor always has the other number
        v = verbs[1] if plural else verbs[0]
        prompt = t.format(s=subj, o=obj, P=self.person()["first"], place=self.pick("place"), v="").rstrip()
        tail = r.choice(["very old", "in the kitchen", "made of glass", "over there", "still here", "painted blue"])
        if v in ("has", "have"):
            tail = r.choice(["a crack in it", "been sold", "two handles", "gone missing"])
        return {"text": f"{prompt} {v} {tail}.", "kind": "agreement", "form": "agreement", "prompt": prompt,
                "answer": v, "distractor_answer": verbs[0] if plural else verbs[1]}

    def document(self):
        k = self.rng.choices(["qa", "ioi", "repeat", "agree"], weights=[70, 12, 10, 8])[0]
        return {"qa": self.qa_document, "ioi": self.ioi_document, "repeat": self.repeat_document,
                "agree": self.agreement_document}[k]()


def _articles(s):
    """'a' before a vowel-initial word becomes 'an' (templates write 'a {object}')."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", lambda m: m.group(1) + "n ", s)


def _span(text, sentence):
    i = text.find(sentence)
    assert i >= 0, (text, sentence)
    return [i, i + len(sentence)]


def training_texts(seed, n, frame_weights=None):
    g = Gen(seed, "train", frame_weights=frame_weights)
    return [g.document()["text"] for _ in range(n)]


def heldout_items(seed=2026, per_form=60, ioi=120, repeat=60, agreement=60, templates="heldout"):
    """Evaluation items from held-out templates and held-out entity pools only, with same-kind
    distractors: per question form, half in the paper's layout (one distractor) and half plain (one to
    three distractors, sometimes unrelated sentences)."""
    g = Gen(seed, "heldout", templates)
    by_form = {f: [] for f in QUESTION_FORMS}
    frames_for = {}
    for fr, ts in FRAMES.items():
        for _, qs in ts[-1:]:
            for _, _, form in qs:
                frames_for.setdefault(form, set()).add(fr)
    guard = 0
    while any(len(v) < per_form for v in by_form.values()):
        guard += 1
        assert guard < 100000
        form = min(by_form, key=lambda f: len(by_form[f]))
        frame = g.rng.choice(sorted(frames_for[form]))
        layout = "paper" if len(by_form[form]) % 2 == 0 else "plain"
        d = g.qa_document(frame=frame, layout=layout, n_distractors=1 if layout == "paper" else None)
        if d["form"] == form:
            by_form[form].append(d)
    items = [d for f in QUESTION_FORMS for d in by_form[f]]
    items += [g.ioi_document() for _ in range(ioi)]
    items += [g.repeat_document() for _ in range(repeat)]
    items += [g.agreement_document() for _ in range(agreement)]
    out = []
    for i, d in enumerate(items):
        item = {"id": f"copy-{i:04d}", "kind": d["kind"], "form": d["form"], "prompt": d["prompt"],
                "target": " " + d["answer"].split()[0], "answer": d["answer"]}
        for k in ("layout", "support_span", "distractor_spans", "distractor_answer"):
            if k in d:
                item[k] = d[k]
        out.append(item)
    return out


def curated_format(items):
    """The paper-layout items in the format of the curated evaluation set (one distractor sentence, one
    support sentence), so `heta eval` can score DSA on them."""
    out = []
    for it in items:
        if it.get("layout") != "paper":
            continue
        p = it["prompt"]
        (ds, de), (ss, se) = it["distractor_spans"][0], it["support_span"]
        assert p.endswith(" Answer:")
        out.append({"id": it["id"], "input_text": p[: -len(" Answer:")], "narrative_segment": p[ds:de],
                    "sciq_support_segment": p[ss:se], "target_first_answer_token": it["answer"].split()[0],
                    "form": it["form"]})
    return out


if __name__ == "__main__":
    import argparse
    import os
    ap = argparse.ArgumentParser(description="Print samples, or write the held-out evaluation files.")
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--write-eval", metavar="DIR")
    ap.add_argument("--write-seen", metavar="FILE", help="diagnostic items: held-out entity pools, but the original "
                    "training templates (the generalization gap is accuracy here minus on copy-heldout.jsonl)")
    a = ap.parse_args()
    if a.write_seen:
        with open(a.write_seen, "w") as f:
            for it in heldout_items(templates="seen"):
                f.write(json.dumps(it) + "\n")
    if a.samples:
        g = Gen(1, "train")
        for _ in range(a.samples):
            print(repr(g.document()["text"]))
    if a.write_eval:
        items = heldout_items()
        with open(os.path.join(a.write_eval, "copy-heldout.jsonl"), "w") as f:
            for it in items:
                f.write(json.dumps(it) + "\n")
        cur = curated_format(items)
        with open(os.path.join(a.write_eval, "copy-heldout-curated.json"), "w") as f:
            json.dump({"dataset_name": "demo-copy-heldout", "description":
                       "Held-out copy items of models/recipe/copytasks.py in the curated layout: a distractor sentence of the "
                       "same shape about another entity <s> the answer-bearing sentence <s> Question: ...",
                       "num_examples": len(cur), "examples": cur}, f, indent=1)
        print(f"wrote {len(items)} items ({len(cur)} in the curated layout) to {a.write_eval}")
