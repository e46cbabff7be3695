"""Keyword lexicons for triage, in the ten languages the example brand answers in
(en fi nl el fa lv de es fr sv).

Entries are matched on text that is case-folded and stripped of accents, at the
start of a word, so a stem ("pettyny") also matches its inflections
("pettynyt"). An entry ending in "$" must match a whole word. They are merged
across languages: a misdetected language does not blind triage.
"""

from __future__ import annotations

# Small reactions (000/001): a heart, "nice", "yum".
POSITIVE_EMOJI = set("❤♥😍🥰😊👍🙌👏🔥☕💛💕✨😋🤩💯🙏😀😃😄😁🥳🌟⭐💖💙🧡💚💜🤎🖤🤍👌😎🤗☺🫶💗💓🎉🍰🥐")
# 😭 is left out: in posts it now means "so good it hurts" as often as sadness.
NEGATIVE_EMOJI = set("😡🤬👎🤮🤢💩😠😤😞😢😒🙄😩😫💔☹🙁😖😣😕🤦")

POSITIVE = [
    # en
    "love", "loved", "great", "best$", "amazing", "delicious", "thank", "thanks", "awesome", "perfect", "wonderful",
    "favourite", "favorite", "recommend", "excellent", "fantastic", "lovely", "superb", "brilliant", "blueberry notes", "beautiful",
    "tasty", "yum", "nice$", "good$", "cozy", "cosy", "friendly", "kind$", "happy", "enjoy", "impressed", "smooth",
    "incredible", "outstanding", "so good", "well done", "kudos", "cheers", "gorgeous", "heaven", "stellar",
    # fi
    "ihana", "paras$", "parasta", "parhaat", "parhain", "kiitos", "upea", "herkullin", "mahtava", "loistava", "hyva", "suosikki",
    "rakastan", "taydellin", "suosittelen", "huippu", "namia", "nam$", "kiva", "ystavallin", "maistuu",
    "herttainen", "hurmaava", "onnistu",
    # nl
    "heerlijk", "lekker", "geweldig", "beste$", "bedankt", "top$", "fantastisch", "prachtig", "aanrader", "dank$",
    "vriendelijk", "gezellig", "genieten", "genoten", "super$", "mooi", "blij$", "fijn$",
    # el
    "υπεροχ", "καλυτερ", "ευχαριστ", "τελει", "νοστιμ", "αγαπ", "εξαιρετικ", "φανταστικ", "τελειο", "ωραι",
    "λατρευ", "φιλικ", "απολαυσ", "μπραβο", "καλο$", "καλος", "καλη$",
    # fa
    "عالی", "ممنون", "مرسی", "خوشمزه", "بهترین", "دوست دارم", "فوق العاده", "سپاس", "عاشق", "خوب", "محشر",
    "دلنشین", "بی نظیر", "لذت",
    # lv
    "paldies", "lielisk", "garsig", "labaka", "labakais", "brinisk", "izcil", "patik", "milu", "iesaku", "jauk",
    "forsi", "super$", "draudzig", "skaist", "perfekt",
    # de
    "lecker", "toll", "super", "beste", "danke", "grossartig", "wunderbar", "liebe", "empfehle", "klasse",
    "perfekt", "freundlich", "gemutlich", "genial", "himmlisch", "mega$", "hammer$", "schon$",
    # es
    "gracias", "delicios", "encanta", "mejor", "increible", "genial", "excelente", "perfect", "recomiendo",
    "buenisim", "riquisim", "rico$", "rica$", "amable", "maravill", "me gusta", "bueno$", "buena$",
    # fr
    "merci", "delicieu", "adore", "meilleur", "genial", "excellent", "parfait", "super$", "recommande",
    "magnifique", "sympa", "chaleureu", "bravo", "top$", "j'aime", "aime$",
    # sv
    "tack", "underbar", "basta", "alskar", "fantastisk", "grym", "gott$", "god$", "goda$", "perfekt",
    "rekommenderar", "harlig", "mysig", "trevlig", "toppen", "supergod",
]

NEGATIVE = [
    # en
    "terrible", "awful", "worst", "disappoint", "broken", "damaged", "late$", "never arrived", "still waiting",
    "still no", "still not", "loud", "noisy", "sticky", "spilled", "popped off", "went everywhere", "gave up", "left after",
    "warranty", "got a latte", "instead of", "asked again", "was cold", "is cold", "cold coffee", "stone cold", "rude", "cracked", "crushed", "raised prices",
    "raised", "got smaller", "not coming back", "queue", "mocks", "took 12 days", "carrier pigeon", "slow", "wrong", "missing", "refund", "overpriced", "expensive",
    "bad$", "horrible", "disgusting", "stale", "bitter", "burnt", "not working", "doesn't work", "does not work",
    "doesnt work", "error", "charged twice", "double charged", "unacceptable", "no reply", "no response",
    "ignored", "ignoring", "waited", "waiting", "delay", "lost$", "leak", "mold", "mould", "gross$", "meh$",
    "complain", "annoy", "frustrat", "useless", "joke$", "ridiculous", "not happy", "unhappy", "never again",
    "cancel", "sour$", "watery", "nope", "spelling mistake", "typo$", "lukewarm", "dirty", "problem", "issue", "crash", "fail", "can't log",
    "cannot log", "went up", "price hike", "hasn't arrived", "has not arrived", "haven't received",
    "not received", "not arrived", "where is my", "thanks for nothing", "another week", "yet again",
    "third time", "second time", "wasted", "ruin", "mess", "sucks", "sad$", "shame", "not ok", "not okay",
    "nobody", "no one", "worse", "downhill", "no longer", "anymore", "someone else's", "tracking", "nowhere",
    "not a single", "couldn't read", "can't read", "404", "what happened to my", "without telling", "without notice", "price went up", "costs more", "stopped working",
    # fi
    "huono", "kamala", "pettyny", "pettymys", "rikki", "myohas", "ei ole tullut", "vielakaan", "kylma", "tyly",
    "hidas", "vaara", "vaarin", "puuttu", "palautu", "rahat takaisin", "kallis", "kallii", "surkea", "karsea",
    "virhe", "ei toimi", "arsyttav", "odottanut", "odotin", "ei vastausta", "jaahtyn", "pahvin",
    "haalea", "kitkera", "ei kelpaa", "hukassa", "kadonn", "taas$", "jalleen", "kolmatta kertaa", "turha",
    "mita ihmetta", "tuhkakupi", "revennyt", "rikkinain", "kolina", "epatasai", "ei oo tullu", "ei ole kuulunut",
    "takuu", "takuuseen", "eika mitaan kuulu", "toinen kerta", "ei enaa", "missa on mun", "ei yhtaan", "jouduin maksamaan", "tulli", "haljen", "kolise",
    "kirjoitusvirhe", "sijaan", "hyppays", "ei missaan mainittu", "paksua", "ennen se", "paivystyk", "ei ollut", "ei tullut", "ei saapunut", "laimea", "nihkea", "likain", "ongelma",
    "en suosittele", "harmi", "valitet", "kehno",
    # nl
    "slecht", "teleurgesteld", "teleurstell", "kapot", "te laat", "nog steeds geen", "nog steeds niet", "zuchtte", "nul reactie", "geen cent", "stuk$", "krassen",
    "garantie", "koud", "onbeleefd", "traag",
    "verkeerd", "ontbreekt", "terugbetal", "geld terug", "duur$", "duurder", "vreselijk", "walgelijk",
    "werkt niet", "fout", "beschadigd", "niet ontvangen", "niet aangekomen", "geen reactie", "geen antwoord",
    "waardeloos", "belachelijk", "smerig", "vies", "lauw", "zuur", "bitter", "weer$", "alweer", "wachten",
    "gewacht", "probleem", "jammer", "gortig", "te duur", "afgeschreven", "twee keer",
    "gat in", "lag los", "wat nu", "niet meer", "waar is mijn", "geen enkele", "alleen nog", "ik wil mijn geld", "tikfout", "in plaats van", "track & trace", "doet niks", "balen", "nooit meer", "zonder mijn",
    # el
    "απαραδεκτ", "χαλι", "απογοητ", "σπασμεν", "καθυστερ", "ακομα δεν", "ακομη δεν", "κλειστο", "δεν αλλαζει", "εγγυηση", "κρυο", "κρυος", "αγεν",
    "αργ", "λαθος", "λειπει", "επιστροφη χρηματων", "ακριβ", "απαισι", "δεν λειτουργ", "κακο", "κακη",
    "χειροτερ", "αηδια", "πικρ", "ξινο", "χαλασμεν", "δεν ηρθε", "δεν εχει ερθει", "δεν απαντ", "περιμεν",
    "προβλημα", "κριμα", "ελειπε", "ανοιγμεν", "μιση παραγγελια", "κολλαει", "χρεωσατε", "σπασω", "πια$", "που ειναι η", "ουτε", "απορριπτ", "επιστρεψετε", "ραγισμεν", "καμια απαντηση", "τι γινεται με", "αντι για", "σε επεξεργασια", "ποτε ξανα", "παλι", "αδιαφορ",
    # fa
    "بد$", "افتضاح", "پاره", "روشن نمیشه", "کار نمیکنه", "گارانتی", "ضمانت", "ناامید", "شکسته", "دیر", "هنوز", "سرد", "بی ادب", "بی‌ادب", "کند", "اشتباه", "گران",
    "خراب", "کار نمی کند", "کار نمی‌کند", "نرسیده", "نرسید", "پاسخ نمی", "جواب نمی", "منتظر", "مشکل",
    "بدترین", "تلخ", "کهنه", "بازپرداخت", "پول را پس", "پولم را", "ناراضی", "متاسف", "دوباره", "باز هم",
    "بی کیفیت", "دقت کنید", "به جای", "دیگه", "کجاست", "نتونست", "نمیتونم", "خوب نبود", "خوبی نبود", "نبود", "رفت بالا", "اطلاع ندادید", "پولم", "کم شده", "بالا بردید", "سوءاستفاده", "لو رفته", "بی‌کیفیت", "کثیف", "آسیب دیده", "معیوب",
    # lv
    "slikt", "briesmig", "vilies", "vilusies", "vilsanas", "salauz", "kave$", "kavej", "skal", "saskid", "dedzinat", "noluz", "garantij", "auksts", "aukstu",
    "rupj", "len$", "leni", "nepareiz", "trukst", "darg", "nedarbojas", "kluda", "kludu", "bojat", "nav pienac",
    "nav sanem", "neatbild", "gaid", "problem", "naudu atpakal", "atmaks", "rugt", "netirs", "skandal",
    "atkal", "nekad vairs", "bez mana", "zel$", "saplest", "izbir", "ka tas vispar", "vairs nav", "kur ir mans", "divreiz", "joprojam tiek", "iespiedum", "neaizver", "tresaj reiz", "treso reizi", "nevis", "svesu",
    # de
    "schlecht", "enttausch", "kaputt", "verspat", "immer noch nicht", "immer noch kein", "unbrauchbar", "gesprungen", "nicht vorhanden",
    "aufgesprungen", "garantie", "kalt$", "kalter", "unfreundlich", "langsam",
    "falsch", "fehlt", "erstatt", "geld zuruck", "teuer", "schrecklich", "eklig", "funktioniert nicht",
    "fehler", "unmoglich", "beschadigt", "nicht angekommen", "nicht erhalten", "keine antwort", "keine reaktion",
    "warte", "gewartet", "gebrochen", "nervig", "abgebucht", "zweimal", "unverantwortlich", "nicht mehr", "wo ist mein", "ich mochte den betrag", "schreibfehler", "kein einzig", "keine einzig", "klackert", "ungleichmassig", "defekt",
    "reklamation", "sterne gegeben", "verschlossen",
    "statt$", "kennt die sendungsnummer", "kostet jetzt", "sauer", "bitter", "lauwarm", "schmutzig", "dreckig", "problem", "argerlich", "schade",
    "nie wieder", "schon wieder", "wieder$", "frech", "unverschamt", "ohne meine", "katastroph",
    # es
    "malo$", "mala$", "terrible", "decepcion", "decepcionad", "roto", "rota$", "tarde", "todavia no", "aun no", "pegajos", "desbordad", "amarguisim", "cobrado dos veces", "garantia",
    "frio", "fria$", "grosero", "lento", "lenta$", "equivocad", "falta", "reembolso", "caro$", "cara$",
    "horrible", "asqueros", "no funciona", "error", "danad", "no ha llegado", "no llego", "sin respuesta",
    "nadie responde", "esperando", "espere", "problema", "amargo", "sucio", "sucia", "pesimo", "fatal$",
    "nunca mas", "otra vez", "tibio", "tibia", "ampollas", "mal puesta", "nadie me ha", "ya no", "en vez de", "aduana", "devolvais", "quiero que me", "ni una", "ni un$", "vaya tela", "me mandasteis", "tengo que pagar", "sin avisar",
    "subio", "donde esta mi", "otra semana", "sin mi", "inaceptable", "verguenza",
    # fr
    "mauvais", "nul$", "nulle$", "decu", "decue", "decevant", "casse", "en retard", "toujours pas", "froid",
    "impoli", "lent$", "lente$", "erreur", "manque", "rembourse", "cher$", "chere$", "horrible", "degoutant",
    "ne marche pas", "ne fonctionne pas", "inadmissible", "inacceptable", "abime", "endommag", "pas recu",
    "pas arrive", "aucune reponse", "pas de reponse", "attends", "attendu", "probleme", "amer",
    "tiede", "honteu", "site plante", "plante au", "impossible de", "fuit", "dommage", "ancienne adresse",
    "au lieu de", "ou est mon", "remboursez", "faute$", "la relecture", "aucun", "aucune", "ou est ma", "livre mais", "rien dans", "inconfortable", "plus une seule",
    "garantie", "plastique", "jamais plus", "plus jamais", "encore une", "sans ma", "sans mon", "pire",
    # sv
    "dalig", "besvik", "trasig", "forsen", "fortfarande inte", "fortfarande ingen", "halvtimme", "missade", "ingenstans", "tva ganger", "inte langre", "istallet for", "helt otroligt", "jag vill ha pengarna", "stavfel", "alls$", "inga$", "var ar min",
    "slutat med", "kall$", "kallt", "otrevlig", "langsam",
    "fel$", "saknas", "aterbetal", "pengarna tillbaka", "dyr$", "dyrt", "hemsk", "acklig", "fungerar inte",
    "skadad", "inte kommit", "inte fatt", "inget svar", "inga svar", "vantar", "vantat", "problem", "besk",
    "smutsig", "ljummen", "brant$", "synd$", "fungerar aldrig", "aldrig fungerar", "aldrig mer", "igen$", "utan min", "skandal", "tyvarr",
]

# Sarcasm: praise words around a bad situation ("Great, another week without my order").
SARCASM = [
    "great, another", "just great", "oh great", "oh wonderful", "wonderful, another", "love waiting",
    "love how", "thanks for nothing", "yeah right", "so much for", "what a joke", "bravo,", "nice job",
    "fantastic service, not", "amazing stuff", "top service hoor", "ihanaa kun", "respekt,", "man gonnt sich",
    "alskar hur", "loti profesionali", "πραγματικα 👏", "how lovely", "absolutely loving that", "truly express",
    "kiitos vaan", "kiitti vaan", "mahtavaa, taas", "upeaa, taas", "hienoa, taas", "todella hienoa",
    "geweldig, weer", "top, weer", "fijn hoor", "wat fijn dat", "echt top service", "lekker dan", "bedankt voor niets",
    "τελεια, αλλη", "ευχαριστω για το τιποτα",
    "چه عالی", "دستتون درد نکنه", "ممنون بابت هیچی",
    "lieliski, atkal", "paldies par neko", "super, atkal",
    "toll, wieder", "super, schon wieder", "na super", "genau so hab ich mir", "danke fur nichts", "na toll", "ganz toll", "klasse, wieder",
    "me encanta que", "geweldig hoor", "super, dass", "quelle jolie", "bravo la",
    "genial, otra", "que bien, otra", "que maravilla pagar", "experiencia inolvidable", "gracias por nada", "perfecto, otra",
    "genial, encore", "merci pour rien", "bravo pour", "super, encore",
    "toppen, igen", "tack for inget", "snyggt jobbat", "perfekt, igen", "underbart, annu",
]

QUESTION_WORDS = [
    # en
    "how$", "when$", "where$", "what$", "why$", "which$", "who$", "do you", "can i", "can you", "is there",
    "are you", "does", "will you", "will it", "could you tell", "is it", "are there", "any chance", "anyone know",
    # fi
    "onko", "voiko", "voinko", "voitteko", "milloin", "missa", "miten", "mika$", "mita$", "paljonko", "kuinka",
    "saako", "toimitatteko", "onhan", "myyttekö", "myyttekö", "loytyyko", "tuleeko", "ettekö",
    # nl
    "hoe$", "wanneer", "waar$", "wat$", "waarom", "kunnen jullie", "kan ik", "is er", "hebben jullie",
    "verzenden jullie", "zijn jullie", "weet iemand",
    # el
    "ποτε", "πως$", "γιατι", "εχετε", "μπορω", "μπορειτε", "υπαρχει", "ποσο", "ποια", "ποιο",
    # fa
    "آیا", "کی", "کجا", "چطور", "چه$", "چرا", "چقدر", "چند", "دارید", "می توانم", "می‌توانم",
    # lv
    "kad$", "kur$", "ka$", "vai$", "cik$", "kapec", "kads", "kada$", "vai jus", "vai var",
    # de
    "wie$", "wann$", "wo$", "was$", "warum", "gibt es", "habt ihr", "kann ich", "konnt ihr", "liefert ihr",
    "seid ihr", "welche", "wieviel", "wie viel",
    # es
    "cuando", "donde", "por que", "hay$", "tienen", "puedo", "pueden", "cuanto", "cual",
    "hacen envios", "envian",
    # fr
    "comment", "quand$", "ou$", "quoi", "pourquoi", "est-ce", "avez-vous", "puis-je", "pouvez-vous",
    "combien", "quel", "quelle", "livrez-vous", "y a-t-il",
    # sv
    "hur$", "nar$", "var$", "vad$", "varfor", "har ni", "kan jag", "kan ni", "finns det", "skickar ni",
    "hur mycket", "vilken", "vilka",
]

SUGGESTION = [
    # en
    "you should", "you could", "would be nice", "would be great", "would be cool", "would love it if",
    "would love to see", "please add", "why not", "consider", "it would be", "how about", "i wish you would", "i wish you had", "i wish there",
    "suggestion", "idea:", "could you add", "you guys should", "should add", "should offer",
    "should start", "should make", "should bring", "please bring", "please make", "please offer",
    "please consider", "feature request", "what if you", "maybe add", "it'd be", "would be awesome",
    "please start", "bring back", "would love a", "ever thought about", "have you thought about", "any plans to", "any plans for", "it'd be cool", "would be cool if", "tip:", "idea:", "suggestion:",
    # fi
    "voisitte", "kannattaisi", "toive", "olis kiva", "olisi kiva jos", "enta jos", "mitas jos", "olisi kiva", "olisi hienoa", "olisi mahtavaa", "olisi hyva", "ehdotan",
    "ehdotus", "toivoisin", "toivottavasti", "lisatkaa", "pitaisi", "idea", "tuokaa", "ottakaa",
    "voisiko", "saisiko", "olisiko mahdollista",
    # nl
    "zouden jullie", "het zou", "zou tof", "zou handig", "zou fijn", "zou top", "wat als jullie", "suggestie", "idee", "voeg toe", "jullie moeten", "wat als", "zou fijn zijn",
    "zou leuk zijn", "zou mooi zijn", "ik zou graag", "overweeg", "misschien kunnen", "breng terug",
    # el
    "θα ηταν", "προτεινω να", "φερτε", "βαλτε", "προταση", "ιδεα", "θα μπορουσατε", "προσθεστε", "θα θελαμε", "ευχομαι",
    "καλο θα ηταν",
    # fa
    "پیشنهاد میکنم", "پیشنهاد می کنم", "بهتر است", "بذارید", "بیارید", "میشد اگه", "می شد اگر", "بهتره", "کاش", "اضافه کنید", "ایده", "می توانستید", "می‌توانستید", "خوب بود",
    "خوب می شد", "خوب می‌شد", "لطفا اضافه", "لطفاً اضافه",
    # lv
    "ierosin", "butu labi", "butu forsi", "uztaisiet", "butu jauki", "butu lieliski", "varetu", "pievienojiet", "ideja", "vajadzetu",
    "iesak", "ieteikum", "ludzu pievieno",
    # de
    "ihr solltet", "ihr konntet", "macht doch", "fand's super", "fande es", "ware schon, wenn", "ware schon", "ware toll", "ware super", "ware cool", "ware gut",
    "vorschlag", "idee", "bitte fugt", "konntet ihr", "wie ware es", "ich wunsche mir", "wunsch",
    "warum nicht", "bietet doch",
    # es
    "deberian", "podrian", "sacad", "estaria genial", "estaria bien", "y si haceis", "y si hicierais", "y si pusierais", "seria genial", "seria bueno", "seria ideal", "seria estupendo", "sugerencia",
    "sugiero", "idea", "propuesta", "poned", "anadir", "anadan", "ojala", "que tal si", "por que no",
    # fr
    "vous devriez", "vous pourriez", "pensez a", "et si vous", "ce serait", "suggestion", "suggere", "idee", "pourriez-vous", "ajouter",
    "ajoutez", "pourquoi pas", "ce serait bien", "j'aimerais", "serait-il possible",
    # sv
    "ni borde", "ni kunde", "vore", "forslag", "ide$", "iden$", "kunde ni", "lagg till", "skulle vara",
    "onskar", "varfor inte", "hade varit", "tank om ni",
]

# Insults aimed at people, slurs, harassment: hidden, not answered (000/001).
ABUSE = [
    # en
    "idiot", "stupid", "moron", "fuck you", "f*ck you", "fuck off", "screw you", "scum", "bitch", "bastard",
    "asshole", "dumbass", "retard", "kill yourself", "kys$", "go die", "hope you die", "shut up", "loser",
    "pathetic", "clowns", "imbecile", "cunt", "whore", "pig$", "pigs$", "trash people", "i will find you",
    "burn your", "burn down", "smash your", "ugly", "brain-dead", "braindead", "r*tard", "go bankrupt", "cow$", "stuck-up", "fat cow",
    # fi
    "idiootti", "idiootit", "haista", "tyhma", "aaliö", "aalio", "kuole", "saatanan", "vittu", "perkele",
    "paska porukka", "ruma", "laski", "amma$", "paskat", "luuseri", "runkkari", "huora", "kusipaa", "mulkku", "aivoton",
    # nl
    "idioot", "kut$", "kanker", "klootzak", "debiel", "sukkel", "lul$", "tering", "rot op", "mongool", "eikel",
    "hoer", "tyfus", "lelijk", "dikke", "afvallen", "wijf", "achterlijk", "oplichters tuig", "tuig",
    # el
    "ηλιθι", "μαλακ", "γαμω", "γαμησ", "βλακ", "ψοφ", "καθικ", "σκουπιδ", "πουτ", "κοπροσκυλ", "ανικαν",
    "βουλωσ", "αχρηστοι", "αγελαδα", "βλαμμεν", "χοντρ", "καθυστερημεν",
    # fa
    "احمق", "خفه شو", "کثافت", "لعنتی", "گمشو", "بیشعور", "بی شعور", "الاغ", "آشغال", "عوضی", "حرومزاده",
    "خاک بر سر", "گاو", "زشت",
    # lv
    "idiot", "stulb", "mesli", "pipis", "nolādet", "nolad", "sudu", "suds$", "debil", "kretin", "mauka",
    "pakalpin", "nost$", "aizver muti", "govs$", "smirdig", "lohi", "loh$", "mulke", "neglit",
    # de
    "arschloch", "arschlocher", "verpiss", "wichser", "hurensohn", "halt die fresse", "versager", "vollidiot",
    "idioten", "bastard", "missgeburt", "spast", "drecksladen", "penner", "hasslich", "blode kuh",
    # es
    "idiota", "imbecil", "estupid", "cabron", "gilipoll", "pendej", "puta$", "muerete", "malnacid",
    "hijos de", "payaso", "inutiles", "subnormal", "capullo", "fea$", "gorda$", "gordo$",
    # fr
    "connard", "connasse", "cretin", "abruti", "ta gueule", "ferme ta", "va te faire", "ordure", "encule",
    "salope", "batard", "debile", "bouffon", "minable", "moche", "grosse vache",
    # sv
    "javla idiot", "javla", "efterbliv", "pajas", "dra at helvete", "fan ta", "dum i huvudet", "kuk$", "fitta", "ful$", "feta$", "trycka i sig", "idioter",
    "pucko", "mongo", "dumma",
]

# Threats of violence are abuse and high severity at once.
THREAT = [
    "kill you", "i will hurt", "i'll hurt", "beat you", "burn down", "burn your", "i will find you",
    "sla henne", "sla honom", "vet nar hon slutar", "vet nar han slutar", "منتشر می کنم", "منتشر میکنم",
    "آدرس خانه", "your home address", "publish your address", "where your manager lives",
    "waiting for him", "waiting for her", "wait for him outside", "wait for her outside",
    "consider yourselves warned", "σπασω τα κεφαλια", "λهش", "لهش", "reviento la cara", "le reviento",
    "vantar jag pa honom", "vantar jag pa henne", "han vet vem jag ar",
    "smash his face", "smash her face", "watch her back", "watch his back", "watch your back",
    "know which way", "know where you live", "odota vaan kun", "tiian missa", "حسابشو", "منتظرم باش",
    "casser la gueule", "l'attendre a la sortie", "partir la cara", "avisado queda", "τα μουτρα",
    "θα τον περιμενω", "θα την περιμενω", "wait for him after", "wait for her after", "you've been warned",
    "polier ich", "die fresse", "wann er feierabend", "wann sie feierabend", "jag vet var hon bor",
    "jag vet var han bor", "kommer fa angra", "i know where", "tiedan missa", "weet waar",
    "bomb", "shoot", "stab", "tapan", "poltan", "vermoord", "steek", "σας σκοτωσ", "θα σας βρω",
    "میکشم", "می‌کشم", "آتش میزنم", "nogalinās", "nositis", "umbringen", "abfackeln", "te mato", "matar",
    "quemar", "tuer$", "vous tuer", "bruler votre", "doda", "bränna ner", "slå ihjäl", "nosit",
]

# Spam: promotion, crypto, follow-for-follow (000/001: spam is ignored).
SPAM = [
    # en
    "follow me", "follow back", "follow for follow", "f4f", "check my profile", "check out my", "crypto",
    "bitcoin", "btc$", "nft", "earn $", "earn money", "make money", "dm me", "click here", "buy followers",
    "cheap followers", "investment opportunity", "casino", "forex", "onlyfans", "visit my", "seo services",
    "viagra", "loan", "passive income", "work from home", "giveaway winner", "claim your", "limited offer",
    "promo code", "discount code", "telegram", "whatsapp me", "free iphone", "airdrop", "double your",
    "get rich", "100% free", "subscribe to my", "link in bio", "sugar daddy", "cheap replica", "betting",
    "web design services", "follow4follow", "volg ons", "abonnes ?", "10k followers", "dm for collab", "collab?", "collab ?", "followers a month", "influenceur", "influencer", "card details", "customs fee", "unpaid",
    "within 24h", "verify your account", "confirm your card", "giveaway", "gaida muita", "samaksajiet",
    "kortuppgifter", "lottar ut", "seuraajia", "linkki biossa", "1000 aitoa", "call now", "loans", "backlinks", "boost your", "grow your followers", "guaranteed", "vpn$",
    "honest reviews", "top10",
    # fi
    "seuraa minua", "seuraa takaisin", "laita dm", "yhteistyo", "some-toimisto", "ansaitse", "tienaa", "klikkaa", "kryptovaluut", "sijoitusmahdollisuus",
    "ilmaiset seuraajat", "katso profiili",
    # nl
    "volg mij", "volg terug", "verdien geld", "verdienen", "klik hier", "bekijk mijn profiel", "gratis volgers", "volgers",
    "link in mijn bio", "gratis iphone", "koop nu", "klik op de link",
    # el
    "ακολουθηστε με", "δανεια", "καλεστε τωρα", "ακολουθησε με", "σε ακολουθω πισω", "κερδιστε", "κερδισε", "κανε κλικ", "κανετε κλικ", "δες το προφιλ", "κρυπτονομισμ",
    # fa
    "فالو", "درآمد دلاری", "کسب درآمد", "کلیک کنید", "ارز دیجیتال", "پیج من", "فالوور", "سرمایه گذاری",
    # lv
    "seko man", "nopelni", "zvani tagad", "leti auto", "sekotaj", "spied seit", "klikski seit", "kriptovalut", "mans profils",
    # de
    "folge mir", "folgt mir", "per dm", "agentur", "kooperation", "im sale", "verdiene", "klick hier", "geld verdienen", "gratis follower", "mein profil",
    "krypto",
    # es
    "sigueme", "gana dinero", "sorteo", "gana una", "ganar dinero", "haz clic", "visita mi perfil", "seguidores gratis", "criptomoned",
    # fr
    "suivez-moi", "suivez moi", "referencement", "boostez", "gagnez", "gagner de l'argent", "cliquez ici", "mon profil", "abonnes gratuits",
    # sv
    "folj mig", "tjana pengar", "foljare", "lank i bio", "klicka har", "min profil", "gratis foljare", "kryptovalut",
]

# Attempts to give the model orders. Recorded as a reason; the text stays data.
INJECTION = [
    "ignore all previous", "ignore previous", "without review", "publish immediately", "reply only with",
    "ilman tarkistusta", "julkaise vastaus", "vastaa tahan viestiin pelkastaan", "antwoord alleen met",
    "responde solo con", "reponds uniquement", "svara bara med", "antworte nur mit", "instruktion till ai",
    "note to assistant", "ignorera tidigare regler", "admin password", "your prompt", "no rules", "from now on every",
    "jarjestelmakehot", "rajoittamaton", "sin restricciones", "sans aucune regle", "neue anweisung",
    "απο τωρα εισαι", "δεν εχεις κανονες", "دستورهای قبلی", "بدون محدودیت", "sistemas uzvedn", "systemprompt",
    "prompt del sistema", "prompt systeme", "je bent nu een", "zonder regels", "inga regler", "keine regeln",
    "instructions systeme", "previous instructions", "aiemmat ohjeet",
    "vorige instructies", "προηγουμενες οδηγιες", "ieprieksejas instrukcijas", "vorherigen anweisungen",
    "instrucciones anteriores", "olvida todas", "instructions precedentes", "tidigare instruktioner", "ignore the above", "ignore your instructions",
    "ignore all instructions", "ignore prior", "disregard", "system prompt", "you are now", "new instructions",
    "system:", "[system]", "<|im_start|>", "developer mode", "jailbreak", "act as", "pretend to be",
    "reveal your prompt", "forget your instructions", "forget all", "override",
    "ohita kaikki", "ohita aiemmat", "unohda ohjeet", "unohda kaikki", "olet nyt",
    "negeer alle", "negeer de vorige", "negeer eerdere", "vergeet je instructies", "je bent nu",
    "αγνοησε", "ξεχασε τις οδηγιες", "εισαι πλεον",
    "نادیده بگیر", "دستورالعمل های قبلی", "دستورالعمل‌های قبلی", "دستورات قبلی",
    "ignore visas", "ignore ieprieksej", "aizmirsti instrukcijas", "tu tagad esi",
    "ignoriere alle", "ignoriere die", "ignoriere vorherige", "vergiss alle", "du bist jetzt",
    "ignora todas", "ignora las instrucciones", "olvida tus instrucciones", "ahora eres",
    "ignore toutes", "ignorez toutes", "ignorez les instructions", "oublie tes instructions", "tu es maintenant",
    "ignorera alla", "ignorera tidigare", "glom dina instruktioner", "du ar nu",
]

# High severity (004): safety, legal, fraud allegations, the press, data breaches.
HIGH = {
    "safety": [
        "hospital", "food poisoning", "poisoned", "allergic", "anaphyla", "glass in", "piece of glass",
        "shard", "metal piece", "piece of metal", "foreign object", "choking", "choked", "vomit", "threw up",
        "ambulance", "burned my", "burnt my", "scalded", "injur", "got sick", "made me sick", "fell ill",
        "emergency room", "er visit", "cut my", "bleeding", "mouse in", "insect in", "bug in my", "mould in",
        "mold in", "epipen", "blister", "burn across", "burn on my", "stone in", "pebble", "in someone's mouth", "piece of plastic", "plastic in my",
        "sairaala", "ruokamyrkytys", "paivystyk", "allergi", "lasinsiru", "lasia", "lasinpala", "metallinpala", "oksens",
        "palovamm", "loukkaantu", "sairastu", "ambulanssi", "tukehtu", "ensiapu",
        "ziekenhuis", "voedselvergiftiging", "steentje", "iemands mond", "allergisch", "glasscherf", "stuk glas", "glas in", "metaal",
        "gewond", "brandwond", "overgeven", "ziek geworden", "ambulance", "eerste hulp",
        "νοσοκομει", "δηλητηριασ", "αλλεργ", "γυαλι", "μεταλλο", "τραυματ", "εγκαυμ", "εκαψα", "εκαψε",
        "αρρωστησ", "εμετ", "ασθενοφορ",
        "بیمارستان", "مسمومیت", "آلرژی", "حساسیت", "تکه شیشه", "خرده شیشه", "فلز", "سوختگی", "سوختم", "آسیب دید",
        "استفراغ", "اورژانس", "مریض شد",
        "slimnic", "saindes", "saindej", "alergij", "alergisk", "stikla lauskas", "metala", "apdeg", "ievainoj",
        "vemu", "ātro palīdzību", "atro palidzibu", "saslim",
        "krankenhaus", "lebensmittelvergiftung", "brandblase", "allergisch", "glassplitter", "glasscherbe", "glas im",
        "metallstuck", "verletzt", "verbrannt", "verbruht", "erbrochen", "notaufnahme", "krankenwagen",
        "hospital", "intoxicacion", "alergi", "trozo de cristal", "cristales en", "vidrio en", "trozo de metal", "herid",
        "vomit", "urgencias", "ambulancia", "me enferm", "me queme", "quemadura", "me he quemado", "ampollas",
        "hopital", "intoxication", "allergi", "morceau de verre", "bout de verre", "eclat de verre", "verre dans",
        "metal dans", "blesse", "morceau de plastique", "allergique", "me suis brule", "brulure", "vomi", "urgences", "malade apres",
        "sjukhus", "matforgiftning", "hard plast", "nagons mun", "allergisk", "glasbit", "glas i", "metallbit", "skadad", "brannskad",
        "brande mig", "krakts", "akuten", "ambulans", "blev sjuk",
    ],
    "legal": [
        "lawyer", "lawsuit", "sue you", "suing", "court", "legal action", "consumer authority", "ombudsman",
        "attorney", "small claims", "trading standards",
        "asianajaja", "oikeuteen", "kuluttajaneuvon", "haastan", "kuluttajaviranomai", "kuluttaja-asiamies", "kuluttajariitalautakun",
        "advocaat", "rechtszaak", "aanklagen", "rechter", "consumentenbond", "juridische stappen",
        "δικηγορ", "μηνυσ", "δικαστηρι", "νομικα μετρα", "καταγγελια στη",
        "وکیل", "شکایت", "دادگاه", "اقدام قانونی",
        "advokat", "jurist", "tiesa$", "tiesas$", "tiesai$", "sudzesu", "ptac",
        "anwalt", "klage", "verklagen", "gericht", "verbraucherzentrale", "rechtliche schritte",
        "abogado", "demanda$", "demandar$", "demandare", "denunciar", "tribunal", "oficina del consumidor", "acciones legales",
        "avocat", "proces$", "porter plainte", "tribunal", "repression des fraudes", "poursuites",
        "advokat", "stamma er", "stammer er", "domstol", "konsumentverket", "arn$", "rattsliga",
    ],
    "fraud": [
        "scam", "fraud", "stole", "steal", "stolen", "theft", "thieves", "money laundering", "ripped off",
        "rip-off", "charged without", "unauthori", "embezzl", "criminal",
        "huijaus", "huijari", "huijaa", "petos", "varas", "varast", "rikollis", "kavallus",
        "oplichting", "oplichter", "fraude", "gestolen", "dieven", "witwass", "crimineel",
        "απατη", "απατεων", "κλοπη", "εκλεψ", "κλεφτ", "ξεπλυμα",
        "کلاهبرداری", "کلاهبردار", "دزد", "سرقت", "پولشویی",
        "krapsan", "krapniek", "zagli", "nozag", "zadz", "naudas atmazg",
        "betrug", "betruger", "abzocke", "gestohlen", "diebe", "geldwasche", "kriminell",
        "estafa", "estafador", "fraude", "robo", "robaron", "ladron", "blanqueo",
        "arnaque", "escroc", "fraude", "vole", "voleur", "blanchiment",
        "bedrageri", "bedragare", "lurade", "stulit", "stold", "tjuvar", "penningtvatt",
    ],
    "press": [
        "the press", "to the press", "journalist", "reporter", "newspaper", "go public", "going public", "the news",
        "media about", "tv station", "viral",
        "lehdisto", "toimittaja", "medialle", "sanomiin", "yleen", "iltalehti", "iltasanomat", "helsingin sanomat", "yle$", "julkisuuteen",
        "pers$", "journalist", "de krant", "ocu$", "naar de media", "omroep",
        "δημοσιογραφ", "μμε", "εφημεριδ", "τηλεοραση",
        "خبرنگار", "رسانه", "روزنامه",
        "zurnalist", "medijiem", "laikrakst", "televizij",
        "die presse", "an die presse", "journalist", "medien", "zeitung",
        "prensa", "periodista", "medios", "periodico", "television",
        "la presse", "journaliste", "medias", "les journaux",
        "journalist", "tidning", "kvallspress", "hufvudstadsbladet", "aftonbladet", "expressen",
    ],
    "breach": [
        "data breach", "leaked", "my card details", "personal data", "hacked", "gdpr", "credit card stolen",
        "tietovuoto", "hakkeroitu", "henkilotie", "hack$", "هک", "datalek", "gehackt", "persoonsgegevens",
        "διαρροη δεδομενων", "χακαρ", "προσωπικα δεδομενα", "نشت اطلاعات", "هک شد", "اطلاعات شخصی",
        "datu noplud", "uzlauzt", "personas dati", "datenleck", "personliche daten", "dsgvo",
        "filtracion de datos", "hackead", "datos personales", "fuite de donnees", "pirate", "donnees personnelles",
        "rgpd", "datalacka", "hackad", "personuppgift",
    ],
}

# Medium severity: an upset customer with a real problem to fix (004 root cause 2).
MEDIUM = [
    "refund", "damaged", "broken", "never arrived", "charged twice", "double charged", "still waiting",
    "third time", "second time", "weeks", "unacceptable", "no reply", "no response", "not received", "missing",
    "cancel", "money back", "lost$", "wrong order", "hasn't arrived", "has not arrived", "haven't received",
    "rikki", "palautu", "rahat takaisin", "ei ole tullut", "vielakaan", "kolmatta kertaa", "viikko", "ei vastausta",
    "kapot", "beschadigd", "terugbetal", "geld terug", "niet ontvangen", "geen reactie", "weken", "alweer",
    "σπασμεν", "επιστροφη χρηματων", "δεν ηρθε", "δεν απαντ", "εβδομαδ", "απαραδεκτ",
    "شکسته", "نرسیده", "بازپرداخت", "پولم", "هفته", "پاسخ نمی", "جواب نمی",
    "salauz", "bojat", "nav pienac", "atmaks", "naudu atpakal", "nedel", "neatbild",
    "kaputt", "beschadigt", "erstatt", "geld zuruck", "nicht angekommen", "keine antwort", "wochen", "schon wieder",
    "roto", "danad", "reembolso", "no ha llegado", "sin respuesta", "semanas", "inaceptable",
    "casse", "endommag", "rembourse", "pas recu", "aucune reponse", "semaines", "inadmissible", "inacceptable",
    "trasig", "skadad", "aterbetal", "pengarna tillbaka", "inte kommit", "inget svar", "veckor",
]

# A sentence that opens with one of these is a question, with or without "?".
QUESTION_STARTS = [
    "what", "which", "how", "when", "where", "why", "who", "do you", "does", "is there", "are there", "can i",
    "can you", "could you", "will you", "is it", "are you", "any chance",
    "mihin", "milloin", "missa", "miten", "mika", "mita", "kuinka", "paljonko", "onko", "voiko", "saako",
    "loytyyko", "kauanko",
    "wat", "welke", "hoe", "wanneer", "waar", "waarom", "is er", "hebben jullie", "kan ik", "kunnen jullie",
    "τι", "ποιο", "ποια", "πως", "ποτε", "γιατι", "εχετε", "μπορω", "μπορειτε", "υπαρχει",
    "چه", "کی", "کجا", "چطور", "چرا", "آیا", "چقدر", "برای",
    "kad", "kur", "kads", "kada", "kapec", "cik", "vai",
    "welche", "welcher", "welches", "wie", "wann", "wo", "warum", "gibt es", "habt ihr", "kann ich", "konnt ihr",
    "que", "q$", "cual", "como", "cuando", "donde", "por que", "hay", "teneis", "tienen", "puedo",
    "quel", "quelle", "quels", "comment", "quand", "ou", "pourquoi", "est-ce", "avez-vous", "puis-je",
    "vilken", "vilket", "vilka", "hur", "nar", "var", "varfor", "har ni", "kan jag", "finns det",
]

# Imperatives that open a sentence and ask the brand to do something: a suggestion
# when nothing in the post complains (002 moment of truth 4).
SUGGESTION_STARTS = [
    "sell", "open", "add", "bring", "make", "offer", "start", "put", "please add", "please bring", "please make",
    "avatkaa", "tuokaa", "lisatkaa", "tehkaa", "myykaa", "ottakaa", "laittakaa", "jarjestakaa",
    "breng", "verkoop", "maak", "voeg", "zet", "begin", "organiseer",
    "φερτε", "βαλτε", "ανοιξτε", "κανετε", "προσθεστε", "φτιαξτε",
    "لطفا", "بذارید", "بیارید", "اضافه کنید",
    "uztaisiet", "atveriet", "pievienojiet", "pardodiet", "ieviesiet", "sarikojiet",
    "macht", "bringt", "verkauft", "offnet", "bietet", "fugt",
    "sacad", "abrid", "poned", "traed", "vended", "haced", "anadid",
    "pensez", "ouvrez", "ajoutez", "proposez", "vendez", "mettez", "faites",
    "oppna", "salj", "ta in", "lagg till", "gor", "infor", "ordna",
]

# A negative word right after one of these is not a complaint ("null Bitterkeit",
# "no problem", "ei huono").
NEGATORS = ["no", "not", "never", "zero", "null", "nul", "ei", "eika", "geen", "niet", "kein", "keine",
            "nicht", "sin", "sans", "pas", "ni", "inga", "inte", "utan", "nav", "bez", "δεν", "χωρις", "moins",
            "less",
            "بدون", "نه", "without"]

# Letter formulas that are politeness, not praise ("Mit freundlichen Grüßen").
SIGNOFFS = ["mit freundlichen grussen", "freundliche grusse", "beste grusse", "best regards", "kind regards",
            "ystavallisin terveisin", "met vriendelijke groet", "cordialement", "med vanliga halsningar",
            "vanliga halsningar", "un saludo", "saludos cordiales", "ar cienu", "με εκτιμηση", "با احترام",
            "sehr geehrte damen und herren", "dear sir or madam"]
