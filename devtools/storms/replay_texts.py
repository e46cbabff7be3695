"""The words of the replay generator (replay.py): posts people write on a normal day, and
the storm. Kept apart from the generator's logic so a reader can add phrasings.

Each entry is a list of phrasings; slots in braces are filled from ``SLOTS`` of the
same language. Normal complaints deliberately share words with the storm's topic
(Midnight Sun, "sick", stomach) so grouping by meaning is tested, not by words.
"""

from __future__ import annotations

# Slots shared by the templates, per language.
SLOTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "product": ["Midnight Sun", "Kallio Morning", "Lapland Light", "the Guji", "the house blend", "the oat flat white",
                    "the cinnamon buns", "the decaf", "the cold brew"],
        "place": ["Kallio", "the harbour café", "the Tampere café", "your roastery shop", "the Kauppatori café"],
        "when": ["today", "this morning", "yesterday", "last weekend", "on Tuesday", "just now", "earlier"],
        "open": ["", "", "Hey @auroraroasters, ", "Honestly, ", "Ok so ", "Just saying: ", "@auroraroasters "],
        "close": ["", "", "", " ☕", " 🙂", "!", " #coffee", " Thanks!"],
    },
    "fi": {
        "product": ["Midnight Sun", "Kallio Morning", "Lapland Light", "Guji", "talon sekoitus", "kaurahiutale-latte",
                    "korvapuustit", "kofeiiniton", "kylmäuute"],
        "place": ["Kallion kahvila", "Kauppatorin kahvila", "Tampereen kahvila", "paahtimon myymälä"],
        "when": ["tänään", "aamulla", "eilen", "viikonloppuna", "tiistaina", "äsken"],
        "open": ["", "", "Moi @auroraroasters, ", "Pakko sanoa: ", "No niin, "],
        "close": ["", "", " ☕", "!", " Kiitos!"],
    },
    "de": {
        "product": ["Midnight Sun", "Kallio Morning", "Lapland Light", "der Guji", "die Hausmischung", "der Hafer-Flat-White",
                    "die Zimtschnecken", "der Entkoffeinierte", "der Cold Brew"],
        "place": ["Kallio", "dem Café am Hafen", "dem Café in Tampere", "dem Röstereiladen"],
        "when": ["heute", "heute Morgen", "gestern", "am Wochenende", "am Dienstag", "gerade eben"],
        "open": ["", "", "Hallo @auroraroasters, ", "Ehrlich gesagt: ", "Also "],
        "close": ["", "", " ☕", "!", " Danke!"],
    },
    "fr": {
        "product": ["le Midnight Sun", "le Kallio Morning", "le Lapland Light", "le Guji", "le mélange maison",
                    "les brioches à la cannelle", "le cold brew"],
        "place": ["Kallio", "le café du port", "le café de Tampere"],
        "when": ["aujourd'hui", "ce matin", "hier", "ce week-end", "mardi"],
        "open": ["", "", "Bonjour @auroraroasters, ", "Franchement, "],
        "close": ["", "", " ☕", " !", " Merci !"],
    },
    "es": {
        "product": ["el Midnight Sun", "el Kallio Morning", "el Lapland Light", "el Guji", "la mezcla de la casa",
                    "los rollos de canela", "el cold brew"],
        "place": ["Kallio", "la cafetería del puerto", "la cafetería de Tampere"],
        "when": ["hoy", "esta mañana", "ayer", "el fin de semana", "el martes"],
        "open": ["", "", "Hola @auroraroasters, ", "Sinceramente, "],
        "close": ["", "", " ☕", "!", " ¡Gracias!"],
    },
    "sv": {
        "product": ["Midnight Sun", "Kallio Morning", "Lapland Light", "Guji", "husets blandning", "kanelbullarna",
                    "cold brew"],
        "place": ["Kallio", "kaféet vid hamnen", "kaféet i Tammerfors"],
        "when": ["idag", "i morse", "igår", "i helgen", "i tisdags"],
        "open": ["", "", "Hej @auroraroasters, ", "Ärligt talat: "],
        "close": ["", "", " ☕", "!", " Tack!"],
    },
    "nl": {
        "product": ["Midnight Sun", "Kallio Morning", "Lapland Light", "de Guji", "de huismelange",
                    "de kaneelbroodjes", "de cold brew"],
        "place": ["Kallio", "het café aan de haven", "het café in Tampere"],
        "when": ["vandaag", "vanochtend", "gisteren", "dit weekend", "dinsdag"],
        "open": ["", "", "Hoi @auroraroasters, ", "Eerlijk gezegd: "],
        "close": ["", "", " ☕", "!", " Bedankt!"],
    },
}

# Normal-day posts per language and intent. Complaints are keyed by what they are
# about, so the replay can say which normal topics a storm group took in.
NORMAL: dict[str, dict[str, list[str]]] = {
    "en": {
        "praise": [
            "{product} {when} was perfect, smooth and chocolatey",
            "best coffee in town, {place} never disappoints",
            "the staff at {place} remembered my name, love this place",
            "{product} is my new favourite, ordering another bag",
            "your barista made the prettiest latte art {when}",
            "just discovered {product} and wow, what a cup",
            "my stomach is happy and so am I after brunch at {place}",
            "the {product} subscription is the highlight of my month",
            "cosy afternoon at {place}, great music and great coffee",
            "Midnight Sun as espresso is unreal, thank you roasters",
        ],
        "question": [
            "do you ship to Germany?",
            "what time does {place} open on Sunday?",
            "is {product} available as whole beans?",
            "do you have oat milk at {place}?",
            "can I pause my subscription for a month?",
            "is {product} very acidic? my stomach is sensitive",
            "are your cups compostable?",
            "do you sell gift cards online?",
            "how long does delivery take to Riga?",
            "which grind for a moka pot, {product} or Kallio Morning?",
        ],
        "reaction": ["☕☕☕", "yes!!", "💛", "so good", "wow", "need this", "🔥🔥", "same here"],
        "suggestion": [
            "please bring back the seasonal blend, it was great",
            "would love a loyalty card at {place}",
            "how about bigger bags of {product}?",
            "an evening opening at {place} on Fridays would be amazing",
            "you should do a cupping class for beginners",
        ],
        "spam": [
            "Earn $500 a day from home, click my profile link!!",
            "Cheap followers here -> best-growth.example",
            "🔥 crypto giveaway, send 1 coin get 2 back 🔥",
        ],
    },
    "fi": {
        "praise": [
            "{product} oli {when} täydellistä, pehmeää ja suklaista",
            "kaupungin paras kahvi, {place} ei koskaan petä",
            "henkilökunta muisti nimeni, ihana paikka",
            "{product} on uusi suosikkini, tilaan heti lisää",
            "aivan upea latte-taide {when}",
            "vatsa ja mieli kiittää, brunssi oli mahtava",
        ],
        "question": [
            "toimitatteko Saksaan?",
            "mihin aikaan {place} aukeaa sunnuntaina?",
            "saako {product} kokonaisina papuina?",
            "onko teillä kauramaitoa?",
            "voiko tilauksen keskeyttää kuukaudeksi?",
            "onko {product} kovin hapokasta?",
        ],
        "reaction": ["☕☕", "ihana!!", "💛", "nam", "jes"],
        "suggestion": [
            "tuokaa kausisekoitus takaisin, se oli hyvä",
            "kanta-asiakaskortti olisi kiva",
            "isompia pusseja {product}-kahvia kiitos",
        ],
        "spam": ["Tienaa 500 € päivässä kotoa, katso profiilin linkki!!"],
    },
    "de": {
        "praise": [
            "{product} war {when} perfekt, weich und schokoladig",
            "bester Kaffee der Stadt, {place} enttäuscht nie",
            "das Team in {place} ist so herzlich, tolle Atmosphäre",
            "{product} ist mein neuer Favorit, bestelle gleich nach",
            "Midnight Sun als Espresso ist der Wahnsinn",
        ],
        "question": [
            "liefert ihr nach Österreich?",
            "wann öffnet {place} am Sonntag?",
            "gibt es {product} als ganze Bohne?",
            "habt ihr Hafermilch?",
            "kann ich mein Abo für einen Monat pausieren?",
        ],
        "reaction": ["☕☕", "lecker!!", "💛", "genial"],
        "suggestion": ["bitte wieder die Saisonmischung anbieten", "eine Treuekarte wäre schön",
                       "größere Packungen von {product} wären super"],
        "spam": ["Verdiene 500 € am Tag von zu Hause, Link im Profil!!"],
    },
    "fr": {
        "praise": ["{product} était parfait {when}, doux et chocolaté", "meilleur café de la ville, {place} est top",
                   "l'équipe de {place} est adorable", "je suis fan du {product}, je recommande"],
        "question": ["vous livrez en France ?", "à quelle heure ouvre {place} le dimanche ?",
                     "vous avez du lait d'avoine ?", "est-ce que {product} existe en grains ?"],
        "reaction": ["☕☕", "trop bien", "💛"],
        "suggestion": ["une carte de fidélité serait super", "des plus grands sachets de {product} svp"],
        "spam": ["Gagnez 500 € par jour, lien dans ma bio !!"],
    },
    "es": {
        "praise": ["{product} estaba perfecto {when}, suave y achocolatado", "el mejor café de la ciudad, {place} nunca falla",
                   "el equipo de {place} es encantador", "{product} es mi nuevo favorito"],
        "question": ["¿enviáis a España?", "¿a qué hora abre {place} el domingo?", "¿tenéis leche de avena?",
                     "¿{product} viene en grano?"],
        "reaction": ["☕☕", "qué rico", "💛"],
        "suggestion": ["una tarjeta de fidelidad estaría genial", "bolsas más grandes de {product} por favor"],
        "spam": ["Gana 500 € al día desde casa, enlace en mi perfil!!"],
    },
    "sv": {
        "praise": ["{product} var perfekt {when}, mjukt och chokladigt", "stadens bästa kaffe, {place} sviker aldrig",
                   "personalen i {place} är så trevlig"],
        "question": ["skickar ni till Sverige?", "när öppnar {place} på söndag?", "har ni havremjölk?"],
        "reaction": ["☕☕", "gott!!", "💛"],
        "suggestion": ["ett stämpelkort vore kul", "större påsar av {product} tack"],
        "spam": ["Tjäna 500 € om dagen hemifrån, länk i profilen!!"],
    },
    "nl": {
        "praise": ["{product} was {when} perfect, zacht en chocoladeachtig", "beste koffie van de stad, {place} stelt nooit teleur",
                   "het team in {place} is zo vriendelijk"],
        "question": ["verzenden jullie naar Nederland?", "hoe laat gaat {place} open op zondag?",
                     "hebben jullie havermelk?"],
        "reaction": ["☕☕", "heerlijk!!", "💛"],
        "suggestion": ["een spaarkaart zou leuk zijn", "grotere zakken {product} graag"],
        "spam": ["Verdien 500 € per dag vanuit huis, link in bio!!"],
    },
}

# Complaints on a normal day, by topic. Several share words with the storm.
COMPLAINTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "late_delivery": ["my order is {n} days late, where is my package?", "still waiting for my beans, ordered a week ago",
                          "tracking hasn't moved in days, what is going on with shipping", "the courier lost my bag of {product} again"],
        "rude_staff": ["the barista at {place} was really rude to me {when}", "got eye-rolled for asking for oat milk at {place}",
                       "staff at {place} ignored us for ten minutes, not nice"],
        "wifi": ["wifi at {place} keeps dropping, impossible to work", "can't connect to the wifi at {place} again"],
        "prices": ["{n} euros for a latte now? prices keep going up", "your prices went up again, getting too expensive",
                   "shipping costs more than the coffee, come on"],
        "taste": ["{product} tasted burnt {when}, not like before", "Midnight Sun was weirdly sour this time",
                  "the last bag of {product} was stale already", "my cappuccino was lukewarm {when}"],
        "queue": ["sick of waiting {n} minutes in the queue at {place}", "the line at {place} was ridiculous {when}",
                  "waited forever for a filter coffee, so slow"],
        "wrong_order": ["got decaf instead of {product}, wrong order again", "my order was missing the grinder I paid for",
                        "you charged my card twice for one order"],
        "website": ["checkout on your website keeps failing", "the app crashes every time I try to pay"],
    },
    "fi": {
        "late_delivery": ["tilaukseni on {n} päivää myöhässä, missä paketti on?", "odotan yhä papuja, tilasin viikko sitten"],
        "rude_staff": ["barista oli tosi töykeä {when}", "henkilökunta ei huomioinut meitä kymmeneen minuuttiin"],
        "wifi": ["wifi katkeilee koko ajan, ei pysty tekemään töitä"],
        "prices": ["{n} euroa lattesta? hinnat nousee koko ajan", "liian kallista nykyään"],
        "taste": ["{product} maistui palaneelta {when}", "Midnight Sun oli oudon hapanta tällä kertaa"],
        "queue": ["jonossa {n} minuuttia, ihan liian hidasta", "jono oli naurettavan pitkä {when}"],
        "wrong_order": ["sain väärän kahvin, taas väärä tilaus", "veloititte kortilta kahdesti"],
        "website": ["verkkokaupan kassa ei toimi"],
    },
    "de": {
        "late_delivery": ["meine Bestellung ist {n} Tage zu spät, wo bleibt das Paket?", "warte immer noch auf meine Bohnen"],
        "rude_staff": ["der Barista war {when} echt unfreundlich", "wurden zehn Minuten lang ignoriert"],
        "wifi": ["das WLAN fällt ständig aus, man kann nicht arbeiten"],
        "prices": ["{n} Euro für einen Latte? die Preise steigen ständig", "viel zu teuer geworden"],
        "taste": ["{product} schmeckte {when} verbrannt", "Midnight Sun war diesmal komisch sauer"],
        "queue": ["{n} Minuten in der Schlange, viel zu langsam"],
        "wrong_order": ["falsche Bestellung bekommen, schon wieder", "ihr habt meine Karte doppelt belastet"],
        "website": ["der Checkout auf eurer Website funktioniert nicht"],
    },
    "fr": {
        "late_delivery": ["ma commande a {n} jours de retard, où est le colis ?"],
        "rude_staff": ["le barista était vraiment désagréable {when}"],
        "prices": ["{n} euros le latte ? les prix n'arrêtent pas de monter"],
        "taste": ["{product} avait un goût de brûlé {when}"],
        "queue": ["{n} minutes d'attente, c'est trop long"],
    },
    "es": {
        "late_delivery": ["mi pedido lleva {n} días de retraso, ¿dónde está?"],
        "rude_staff": ["el barista fue muy borde {when}"],
        "prices": ["¿{n} euros por un latte? los precios no paran de subir"],
        "taste": ["{product} sabía a quemado {when}"],
        "wrong_order": ["me cobrasteis dos veces el mismo pedido"],
    },
    "sv": {
        "late_delivery": ["min beställning är {n} dagar sen, var är paketet?"],
        "rude_staff": ["baristan var riktigt otrevlig {when}"],
        "prices": ["{n} euro för en latte? priserna bara stiger"],
        "taste": ["{product} smakade bränt {when}"],
    },
    "nl": {
        "late_delivery": ["mijn bestelling is {n} dagen te laat, waar blijft het pakket?"],
        "rude_staff": ["de barista was {when} echt onvriendelijk"],
        "prices": ["{n} euro voor een latte? de prijzen blijven stijgen"],
        "taste": ["{product} smaakte {when} verbrand"],
        "wifi": ["de wifi valt steeds weg, werken is onmogelijk"],
    },
}

# Below-the-belt posts on a normal day: insults about nothing in particular.
ABUSE: dict[str, list[str]] = {
    "en": ["you are all idiots", "worst company ever, bunch of clowns", "shut up and go away, losers",
           "what a pathetic excuse for a coffee shop, morons"],
    "fi": ["olette kaikki ääliöitä", "surkea firma, pellejä koko porukka"],
    "de": ["ihr seid alle Idioten", "was für ein Saftladen, Vollpfosten"],
    "fr": ["bande d'idiots", "entreprise minable, des clowns"],
    "es": ["sois todos idiotas", "empresa patética, payasos"],
    "sv": ["ni är idioter allihop"],
    "nl": ["stelletje idioten", "waardeloos bedrijf, clowns"],
}

# The storm: the latest Midnight Sun batch made people ill (three languages).
# A post is built from a hook, a symptom and an ask, each picked independently.
STORM: dict[str, dict[str, list[str]]] = {
    "en": {
        "hook": ["drank the new Midnight Sun batch {when} and", "opened a fresh bag of Midnight Sun and after one cup",
                 "had two Midnight Sun espressos {when} and", "my partner and I both had the Midnight Sun blend and",
                 "after the Midnight Sun from the latest delivery", "third person I know who had your Midnight Sun and",
                 "the Midnight Sun beans you shipped this week -", "made a pot of Midnight Sun for the office and",
                 "this new Midnight Sun roast"],
        "symptom": ["I was throwing up all night", "got horrible stomach cramps", "we all felt sick and dizzy",
                    "my whole family has food poisoning symptoms", "I had to leave work with nausea",
                    "everyone who drank it ended up vomiting", "I've had diarrhoea since yesterday",
                    "my stomach is on fire and I feel feverish", "made me really ill"],
        "ask": ["what is in this batch??", "is this batch contaminated?", "why is there no recall yet?",
                "pull it from sale NOW", "has anyone else got sick from it?", "I want answers, this is dangerous",
                "do you even test your coffee?", "is it mould? it smelled odd", "people need to know about this"],
        "abuse": ["you absolute idiots", "poisoners", "incompetent clowns", "disgusting greedy morons"],
    },
    "fi": {
        "hook": ["join uutta Midnight Sun -erää {when} ja", "avasin uuden Midnight Sun -pussin ja yhden kupin jälkeen",
                 "kaksi Midnight Sun -espressoa {when} ja", "koko perhe joi Midnight Sun -kahvia ja",
                 "viimeisimmän toimituksen Midnight Sun:n jälkeen", "keitin toimistolle Midnight Sunia ja"],
        "symptom": ["oksensin koko yön", "kamalat vatsakrampit", "kaikilla tuli huono olo ja huimasi",
                    "koko perheellä ruokamyrkytyksen oireet", "jouduin lähtemään töistä pahoinvoinnin takia",
                    "ripuli on jatkunut eilisestä"],
        "ask": ["mitä tässä erässä on??", "onko erä saastunut?", "miksi tuotetta ei ole vedetty pois?",
                "poistakaa se myynnistä HETI", "onko muut sairastuneet?", "tämä on vaarallista"],
        "abuse": ["ääliöt", "myrkyttäjät", "surkeat pellet"],
    },
    "de": {
        "hook": ["habe {when} die neue Midnight Sun Charge getrunken und", "neue Packung Midnight Sun geöffnet und nach einer Tasse",
                 "zwei Midnight Sun Espresso {when} und", "wir haben beide die Midnight Sun Mischung getrunken und",
                 "nach dem Midnight Sun aus der letzten Lieferung", "Midnight Sun fürs Büro gekocht und"],
        "symptom": ["ich habe die ganze Nacht erbrochen", "furchtbare Bauchkrämpfe", "uns war allen übel und schwindelig",
                    "die ganze Familie hat Symptome einer Lebensmittelvergiftung", "musste wegen Übelkeit nach Hause",
                    "seit gestern Durchfall"],
        "ask": ["was ist in dieser Charge??", "ist die Charge verunreinigt?", "warum gibt es noch keinen Rückruf?",
                "nehmt das SOFORT aus dem Verkauf", "ist noch jemand krank geworden?", "das ist gefährlich"],
        "abuse": ["ihr Idioten", "Giftmischer", "unfähige Clowns"],
    },
}
