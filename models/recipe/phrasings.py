"""More ways to say each fact: training-only surface templates for copytasks.py.

Why: the first copy-task model answered 93% of questions on its *training* templates with names it
had never seen, but 42% on the held-out templates (models/recipe/size-choice.md, 2026-12-01). It had
learned to bind and copy, but only behind the four phrasings per kind of fact it was shown. These
lists widen that: more sentence templates per frame, questions whose verb differs from the
passage's, names in other positions (fronted phrases, passives), and optional openers.

None of this is used for evaluation. The held-out templates (the last template of every frame in
copytasks.FRAMES, the last two IOI templates, the last repeat and agreement templates) are kept out of
these lists by HELDOUT_MARKERS: each frame's training phrasings may not contain the words that make
its held-out template what it is (its verb or construction). `check()` enforces it.
"""

# Frame -> extra (sentence, [(question, answer slot, form), ...]) templates, same slots as copytasks.FRAMES.
EXTRA_FRAMES = {
    "home": [
        ("{P} grew up in {town}.", [("Where did {p} grow up?", "town", "where"), ("In which town did {p} grow up?", "town", "which")]),
        ("{P} moved to {town} last spring.", [("Where did {p} move to?", "town", "where"), ("Which town did {p} move to?", "town", "which")]),
        ("{P} was born in {town}.", [("Where was {p} born?", "town", "where"), ("In which town was {p} born?", "town", "which")]),
        ("{P} has a cottage in {town}.", [("Where is {p}'s cottage?", "town", "where"), ("In which town is {p}'s cottage?", "town", "which")]),
        ("These days {P} stays in {town}.", [("Where does {p} stay these days?", "town", "where"), ("Where is {p} living now?", "town", "where")]),
        ("{P} spends every winter in {town}.", [("Where does {p} spend the winter?", "town", "where"), ("Which town does {p} spend the winter in?", "town", "which")]),
        ("{P} runs a shop in {town}.", [("Where does {p} run a shop?", "town", "where"), ("Where is {p}'s shop?", "town", "where")]),
        ("The house of {P} stands in {town}.", [("Where does {p}'s house stand?", "town", "where"), ("In which town is {p}'s house?", "town", "which")]),
        ("{P} comes from {town}.", [("Where does {p} come from?", "town", "where"), ("Which town does {p} come from?", "town", "which")]),
        ("{P} teaches at a school in {town}.", [("Where does {p} teach?", "town", "where"), ("In which town does {p} work?", "town", "which")]),
        ("In {town}, {P} bought an old house.", [("Where did {p} buy a house?", "town", "where"), ("Where does {p} live?", "town", "where")]),
        ("{P} settled down in {town} after the war.", [("Where did {p} settle down?", "town", "where"), ("Where does {p} live?", "town", "where")]),
    ],
    "keep": [
        ("{P} put a {object} in the {container}.", [("What did {p} put in the {container}?", "object", "what"), ("Where did {p} put the {object}?", "container", "where")]),
        ("{P} placed a {object} on top of the {container}.", [("What did {p} place on the {container}?", "object", "what"), ("Where did {p} place the {object}?", "container", "where")]),
        ("{P} locked a {object} in the {container}.", [("What did {p} lock away?", "object", "what"), ("Where is {p}'s {object}?", "container", "where")]),
        ("{P} tucked a {object} away in the {container}.", [("What did {p} tuck away?", "object", "what"), ("Where did {p} tuck the {object}?", "container", "where")]),
        ("In {P}'s {container} lies a {object}.", [("What lies in {p}'s {container}?", "object", "what"), ("Where is {p}'s {object}?", "container", "where")]),
        ("{P} dropped a {object} into the {container}.", [("What did {p} drop?", "object", "what"), ("Where did {p} drop the {object}?", "container", "where")]),
        ("The {object} that {P} lost was in the {container}.", [("What did {p} lose?", "object", "what"), ("Where was the {object} that {p} lost?", "container", "where")]),
        ("{P} packed a {object} in the {container}.", [("What did {p} pack?", "object", "what"), ("Where did {p} pack the {object}?", "container", "where")]),
        ("A {object} was hidden by {P} in the {container}.", [("What did {p} hide?", "object", "what"), ("Where is the {object} that {p} hid?", "container", "where")]),
        ("Every night {P} puts a {object} back in the {container}.", [("What does {p} put back?", "object", "what"), ("Where does {p} put the {object}?", "container", "where")]),
        ("{P} discovered a {object} at the back of the {container}.", [("What did {p} discover?", "object", "what"), ("Where did {p} discover the {object}?", "container", "where")]),
    ],
    "color": [
        ("{P} chose a {color} {thing}.", [("What colour was the {thing} that {p} chose?", "color", "what colour"), ("What colour is {p}'s {thing}?", "color", "what colour")]),
        ("The {thing} of {P} is {color}.", [("What colour is the {thing} of {p}?", "color", "what colour"), ("What color is {p}'s {thing}?", "color", "what colour")]),
        ("{P}'s new {thing} is bright {color}.", [("What colour is {p}'s new {thing}?", "color", "what colour"), ("What colour is {p}'s {thing}?", "color", "what colour")]),
        ("{P} dyed the {thing} {color}.", [("What colour did {p} dye the {thing}?", "color", "what colour"), ("What colour is {p}'s {thing} now?", "color", "what colour")]),
        ("Everyone noticed that {P}'s {thing} was {color}.", [("What colour was {p}'s {thing}?", "color", "what colour")]),
        ("{P} wanted a {color} {thing}.", [("What colour of {thing} did {p} want?", "color", "what colour")]),
        ("{P} made a {color} {thing} for the fair.", [("What colour is the {thing} {p} made?", "color", "what colour"), ("What color was {p}'s {thing}?", "color", "what colour")]),
        ("{P} sold a {color} {thing}.", [("What colour was the {thing} {p} sold?", "color", "what colour")]),
        ("A {color} {thing} stood outside {P}'s house.", [("What colour was the {thing} outside {p}'s house?", "color", "what colour"), ("What colour is {p}'s {thing}?", "color", "what colour")]),
        ("{P} prefers a {color} {thing}.", [("What colour of {thing} does {p} prefer?", "color", "what colour"), ("What colour does {p} like for a {thing}?", "color", "what colour")]),
    ],
    "count": [
        ("{P} collected {n} {items}.", [("How many {items} did {p} collect?", "n", "how many")]),
        ("{P} found {n} {items} in the {container}.", [("How many {items} did {p} find?", "n", "how many")]),
        ("{P} gave away {n} {items}.", [("How many {items} did {p} give away?", "n", "how many")]),
        ("{P} needs {n} {items}.", [("How many {items} does {p} need?", "n", "how many")]),
        ("{P} carried {n} {items} home.", [("How many {items} did {p} carry home?", "n", "how many"), ("How many {items} does {p} have?", "n", "how many")]),
        ("{P}'s {container} holds {n} {items}.", [("How many {items} does {p}'s {container} hold?", "n", "how many"), ("How many {items} does {p} have?", "n", "how many")]),
        ("{P} ordered {n} {items} for the shop.", [("How many {items} did {p} order?", "n", "how many")]),
        ("On the way home {P} lost {n} {items}.", [("How many {items} did {p} lose?", "n", "how many")]),
        ("{P} keeps {n} {items} in the {container}.", [("How many {items} does {p} keep?", "n", "how many")]),
        ("Exactly {n} {items} belong to {P}.", [("How many {items} does {p} have?", "n", "how many")]),
        ("A total of {n} {items} went to {P}.", [("How many {items} did {p} get?", "n", "how many")]),
        ("{n} {items} were left for {P}.", [("How many {items} were left for {p}?", "n", "how many")]),
        ("Of all the {items}, {n} were {P}'s.", [("How many {items} were {p}'s?", "n", "how many"), ("How many {items} does {p} have?", "n", "how many")]),
        ("By noon {P} had sold {n} {items}.", [("How many {items} had {p} sold by noon?", "n", "how many")]),
        ("Some {n} {items} sat on {P}'s table.", [("How many {items} were on {p}'s table?", "n", "how many")]),
        ("{P}'s order was for {n} {items}.", [("How many {items} did {p} order?", "n", "how many")]),
        ("{n} of the {items} in the {container} are {P}'s.", [("How many {items} in the {container} are {p}'s?", "n", "how many")]),
        ("Last year {P} grew {n} {items}.", [("How many {items} did {p} grow?", "n", "how many")]),
        ("{P} lent {n} {items} to a neighbour.", [("How many {items} did {p} lend?", "n", "how many")]),
        ("In the end, {P} kept only {n} {items}.", [("How many {items} did {p} keep?", "n", "how many")]),
    ],
    "pet": [
        ("{P} adopted a {animal} called {pet}.", [("What is the name of the {animal} {p} adopted?", "pet", "what is the name of"), ("What did {p} call the {animal}?", "pet", "what is the name of")]),
        ("{P}'s {animal}, {pet}, sleeps by the fire.", [("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
        ("{P} takes care of a {animal} named {pet}.", [("What is the name of the {animal} that {p} takes care of?", "pet", "what is the name of"), ("What is {p}'s {animal} called?", "pet", "what is the name of")]),
        ("{P} calls the {animal} {pet}.", [("What does {p} call the {animal}?", "pet", "what is the name of")]),
        ("The {animal} that lives with {P} is named {pet}.", [("What is the name of the {animal} that lives with {p}?", "pet", "what is the name of")]),
        ("{P} rescued a {animal} and named it {pet}.", [("What did {p} name the {animal}?", "pet", "what is the name of"), ("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
        ("Every morning {P} feeds a {animal} called {pet}.", [("What is the name of the {animal} {p} feeds?", "pet", "what is the name of")]),
        ("{P} walks a {animal} named {pet}.", [("What is the name of the {animal} that {p} walks?", "pet", "what is the name of"), ("What is {p}'s {animal} named?", "pet", "what is the name of")]),
        ("A {animal} named {pet} follows {P} everywhere.", [("What is the name of the {animal} that follows {p}?", "pet", "what is the name of")]),
        ("{P} bought a young {animal} and called it {pet}.", [("What is the name of {p}'s {animal}?", "pet", "what is the name of")]),
    ],
    "who": [
        ("{P} fixed the {object}.", [("Who fixed the {object}?", "P", "who")]),
        ("{P} lost the {object} at the {place}.", [("Who lost the {object}?", "P", "who")]),
        ("The {object} was found by {P}.", [("Who found the {object}?", "P", "who")]),
        ("{P} sold the {object} at the {place}.", [("Who sold the {object}?", "P", "who")]),
        ("At the {place}, {P} dropped the {object}.", [("Who dropped the {object}?", "P", "who")]),
        ("Only {P} knew where the {object} was.", [("Who knew where the {object} was?", "P", "who")]),
        ("{P} borrowed the {object} from the {place}.", [("Who borrowed the {object}?", "P", "who"), ("Who has the {object}?", "P", "who")]),
        ("The {object} was given to {P}.", [("Who was given the {object}?", "P", "who"), ("Who got the {object}?", "P", "who")]),
        ("{P} won the {object} at the {place}.", [("Who won the {object}?", "P", "who")]),
        ("{P} was the one who broke the {object}.", [("Who broke the {object}?", "P", "who")]),
        ("Last {month}, {P} cleaned the {object}.", [("Who cleaned the {object}?", "P", "who")]),
        ("The {object} was stolen, and {P} got it back.", [("Who got the {object} back?", "P", "who")]),
    ],
    "which": [
        ("{P} drove to {town} in {month}.", [("Which town did {p} drive to?", "town", "which"), ("Which town did {p} go to?", "town", "which")]),
        ("{P} preferred the {color} door.", [("Which door did {p} prefer?", "color", "which")]),
        ("{P} went to the {place} on Sunday.", [("Which place did {p} go to?", "place", "which")]),
        ("{P} sailed to {town}.", [("Which town did {p} sail to?", "town", "which"), ("Which town did {p} reach?", "town", "which")]),
        ("In {month}, {P} cycled to {town}.", [("Which town did {p} cycle to?", "town", "which"), ("Which town did {p} visit?", "town", "which")]),
        ("{P} waited by the {object} for an hour.", [("Which thing did {p} wait by?", "object", "which")]),
        ("{P} flew to {town} last {month}.", [("Which town did {p} fly to?", "town", "which"), ("Which town did {p} go to?", "town", "which")]),
        ("{P} opened the {color} door.", [("Which door did {p} open?", "color", "which")]),
        ("{P} ran to the {place}.", [("Which place did {p} run to?", "place", "which"), ("Which place did {p} go to?", "place", "which")]),
        ("{P} spent the afternoon at the {place}.", [("Which place did {p} spend the afternoon at?", "place", "which")]),
    ],
    "did": [
        ("Last {day}, {P} {verb} the {vobj}.", [("What did {p} do last {day}?", "verb", "what did X do")]),
        ("{P} {verb} the {vobj} at noon.", [("What did {p} do at noon?", "verb", "what did X do")]),
        ("After work {P} {verb} the {vobj}.", [("What did {p} do after work?", "verb", "what did X do")]),
        ("That evening {P} {verb} the {vobj}.", [("What did {p} do that evening?", "verb", "what did X do")]),
        ("Early on {day}, {P} quietly {verb} the {vobj}.", [("What did {p} do early on {day}?", "verb", "what did X do"), ("What did {p} do on {day}?", "verb", "what did X do")]),
        ("{P} {verb} the {vobj} before anyone woke up.", [("What did {p} do before anyone woke up?", "verb", "what did X do"), ("What did {p} do early?", "verb", "what did X do")]),
        ("Last week {P} {verb} the big {vobj}.", [("What did {p} do last week?", "verb", "what did X do")]),
        ("At dawn {P} {verb} the {vobj}.", [("What did {p} do at dawn?", "verb", "what did X do")]),
        ("While it rained, {P} {verb} the {vobj}.", [("What did {p} do while it rained?", "verb", "what did X do")]),
        ("{P} {verb} the {vobj} on {day} evening.", [("What did {p} do on {day} evening?", "verb", "what did X do"), ("What did {p} do on {day}?", "verb", "what did X do")]),
    ],
    "job": [
        ("{P} is employed as a {job}.", [("What is {p}'s job?", "job", "what"), ("What is {p} employed as?", "job", "what")]),
        ("{P} became a {job} last year.", [("What did {p} become?", "job", "what"), ("What is {p}'s job?", "job", "what")]),
        ("By trade, {P} is a {job}.", [("What is {p}'s trade?", "job", "what"), ("What does {p} do?", "job", "what")]),
        ("{P} works in {town} as a {job}.", [("What does {p} work as?", "job", "what")]),
        ("{P} used to be a {job}.", [("What did {p} use to be?", "job", "what")]),
        ("{P} is the only {job} in the village.", [("What is {p}'s job?", "job", "what"), ("What is {p}?", "job", "what")]),
        ("Everyone knows {P} as a skilled {job}.", [("What is {p} known as?", "job", "what")]),
        ("{P} found a job as a {job}.", [("What job did {p} find?", "job", "what"), ("What is {p}'s job?", "job", "what")]),
        ("At twenty, {P} started out as a {job}.", [("What did {p} start out as?", "job", "what")]),
        ("{P}, a {job}, lives quietly.", [("What is {p}'s job?", "job", "what"), ("What does {p} do for work?", "job", "what")]),
    ],
}

# Openers put before a passage sentence now and then ("As it happens, Ilse lives in Brogate.").
OPENERS = ["As it happens, ", "According to the records, ", "Some people say that ", "It is well known that ",
           "Everyone in the village knows that ", "As far as anyone remembers, ", "We were told that ",
           "By all accounts, ", "Oddly enough, ", "Of course, "]

# More (past-tense verb, object) pairs for the "did" frame, training split only: with 32 verbs the model
# learned those verbs as answers rather than to copy whichever verb the passage holds. None of them is
# a held-out verb (check_verbs()).
EXTRA_VERBS = [(v, o) for v, o in (x.split(":") for x in (
    "scrubbed:floor|ironed:shirts|oiled:hinges|peeled:potatoes|folded:laundry|hung:curtains|dusted:shelves|"
    "trimmed:hedge|mowed:lawn|shovelled:snow|stacked:firewood|glued:vase|sharpened:knives|patched:tyre|"
    "varnished:door|wallpapered:hall|plastered:wall|tiled:bathroom|rewired:lamp|unblocked:drain|"
    "harvested:apples|pruned:roses|weeded:garden|dug:trench|fenced:field|milked:goats|sheared:sheep|"
    "groomed:horse|walked:dog|bathed:puppy|trained:falcon|caught:trout|smoked:fish|pickled:onions|"
    "roasted:chicken|brewed:cider|churned:butter|kneaded:dough|iced:cake|grilled:sausages|"
    "stirred:stew|boiled:eggs|toasted:bread|squeezed:lemons|whisked:cream|sliced:ham|"
    "translated:poem|typed:report|printed:posters|signed:contract|posted:parcel|answered:letters|"
    "checked:accounts|filed:papers|copied:recipe|recorded:song|rehearsed:speech|memorised:lines|"
    "practised:violin|played:organ|whistled:tune|hummed:melody|painted:portrait|sketched:bridge|"
    "sculpted:statue|framed:picture|restored:chair|upholstered:sofa|wove:basket|sewed:dress|"
    "embroidered:cushion|darned:socks|dyed:wool|spun:yarn|loaded:truck|unpacked:boxes|towed:trailer|"
    "parked:van|steered:barge|sailed:yacht|launched:dinghy|anchored:ship|repainted:hull|caulked:deck|"
    "inspected:engine|tested:brakes|greased:axle|replaced:battery|charged:phone|cleared:gutter|"
    "sealed:window|insulated:loft|opened:shutters|closed:gate|bolted:door|counted:sheep|fed:ducks|"
    "chased:fox|followed:path|crossed:river|explored:cave|mapped:coast|surveyed:land|measured:garden|"
    "weighed:parcels|priced:books|sold:paintings|rented:flat|borrowed:ladder|returned:books|"
    "collected:stamps|found:ring|buried:treasure|lit:fire|blew:glass|forged:sword|carved:bowl|"
    "welded:gate|hammered:nails|sawed:planks|drilled:holes|bent:wire|cut:ribbon|decorated:tree|"
    "wrapped:presents|delivered:milk|hosted:dinner|organised:party|cancelled:meeting|visited:castle|"
    "toured:factory|painted:barn|wiped:windows|rinsed:dishes|dried:plates|emptied:bins|refilled:kettle"
).split("|"))]


def check_verbs(heldout_verbs):
    """Raise if a training-only verb is one of the held-out verbs."""
    held = {v for v, _ in heldout_verbs}
    bad = sorted({v for v, _ in EXTRA_VERBS} & held)
    if bad:
        raise ValueError(f"EXTRA_VERBS holds held-out verbs {bad}")

# Indirect object: the answer is always {A}, the name said once.
EXTRA_IOI = [
    "When {A} and {B} met at the {place}, {B} offered a {object} to",
    "{A} and {B} spent the day at the {place}. In the end, {B} sold the {object} to",
    "After {A} and {B} left the {place}, {B} wrote a letter to",
    "{A} and {B} argued about the {object}, and then {B} apologised to",
    "Once {A} and {B} reached the {place}, {B} tossed the {object} to",
    "{B} and {A} sat down at the {place}, and {B} read a story to",
    "On the way to the {place}, {A} and {B} stopped, and {B} returned the {object} to",
    "{A} and {B} tidied the {place} together. Afterwards {B} waved goodbye to",
    "During a visit to the {place}, {A} and {B} talked, and {B} mailed a postcard to",
    "Since {A} and {B} both wanted the {object}, {B} finally handed it to",
    "{A} met {B} at the {place}, and {B} gave a {object} to",
    "{A} and {B} opened the {place} early. {B} passed the keys to",
    "The {object} belonged to {B}, but after {A} and {B} left the {place}, {B} gave it to",
    "Both {A} and {B} were at the {place} when {B} showed a {object} to",
]

# Repeated lists (induction): the second {seq} is what is copied.
EXTRA_REPEAT = [
    "Remember these: {seq}. Again: {seq}",
    "The winners were {seq}. Once again, the winners were {seq}",
    "Shopping list: {seq}. Read it back: {seq}",
    "Names on the door: {seq}. The names on the door: {seq}",
    "First line: {seq}. Second line, the same: {seq}",
    "The guests, in order, were {seq}. In the same order: {seq}",
    "{seq}; repeat: {seq}",
    "Call out {seq}. Call out again {seq}",
]

# Agreement across an attractor noun: (template, preposition).
EXTRA_AGREE = [
    ("The {s} under the {o} {v}", "under"),
    ("The {s} above the old {o} {v}", "above"),
    ("The {s} with the {o} {v}", "with"),
    ("The {s} from the {o} in the {place} {v}", "from"),
    ("The {s} that {P} saw near the {o} {v}", "saw near"),
    ("The {s} on top of the {o} {v}", "on top of"),
    ("The {s} by the {o} at the {place} {v}", "by"),
    ("The {s} across from the {o} {v}", "across from"),
]

# The words that make each held-out template what it is. A training phrasing of the same frame that
# contains one of these would teach the held-out template itself.
HELDOUT_MARKERS = {
    "home": ["rent"],
    "keep": ["store", "inside"],
    "color": ["belongs to", "which colour"],
    "count": ["there are"],
    "pet": ["owns", "its name is"],
    "who": ["it was", "painted"],
    "which": ["took the train", "travel"],
    "did": ["yesterday", "the old"],
    "job": ["earn", "what work"],
    "ioi": ["walked home", "lent", "cooked dinner", "brought a plate"],
    "repeat": ["code words", "to confirm"],
    "agree": ["next to", "of the {place}"],
}


def _texts(frame):
    if frame == "ioi":
        return EXTRA_IOI
    if frame == "repeat":
        return EXTRA_REPEAT
    if frame == "agree":
        return [t for t, _ in EXTRA_AGREE]
    return [s for s, qs in EXTRA_FRAMES[frame]] + [q for _, qs in EXTRA_FRAMES[frame] for q, _, _ in qs]


def check(frames, ioi, repeat, agree):
    """Raise if a training phrasing repeats a held-out template or carries its marker words.
    frames/ioi/repeat/agree: copytasks' template lists (their held-out parts are the last ones)."""
    held = {f: [ts[-1][0]] for f, ts in frames.items()}  # held-out sentences (questions may be shared)
    held.update({"ioi": ioi[-2:], "repeat": repeat[-1:], "agree": [agree[-1][0]]})
    for frame, markers in HELDOUT_MARKERS.items():
        for text in _texts(frame):
            low = text.lower()
            bad = [m for m in markers if m in low]
            if bad or text in held[frame]:
                raise ValueError(f"training phrasing {text!r} of {frame!r} carries the held-out template's {bad or 'text'}")
    for frame, extra in EXTRA_FRAMES.items():
        forms = {form for _, qs in frames[frame] for _, _, form in qs}
        for s, qs in extra:
            for q, slot, form in qs:
                if form not in forms or ("{" + slot + "}" not in s and slot != "P"):
                    raise ValueError(f"{frame!r}: question {q!r} asks for {slot!r}/{form!r}, which {s!r} cannot answer")
