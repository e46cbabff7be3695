"""`assistant policy init`: a new brand's tone policy, ready to edit.

The scaffold passes `assistant policy check` as written: a brand block whose
placeholders say TODO, a voice, the languages asked for, an example facts block
(with example questions), an empty catalog with a commented example, and a
playbook for every intent a reply is drafted for, each with `parts` (README "How a
draft is made") and a template in every language. So a brand drafts replies
composed from its own parts from the first run, and the file shows where each
brand-specific line goes.

The phrasings below are brand-neutral (no product, trade or emoji; ``{brand}``
where the name is needed) for the languages the project writes in. ``{name}`` is
what a post named (a catalog entry's `say`, or a person) in its base form, so each
phrasing puts it where a bare nominative reads right: German as the subject or
after "Stichwort", French never after "à" or "de", Finnish and Latvian after a
colon or as the subject, Greek as the subject. Greek and Latvian address a person
in the vocative ("Γιώργο", "Jāni"), which a base form is not, so their greeting
leaves the name out. Any other language gets the English phrasings, marked
``# TODO: translate``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.domain.errors import AssistantError

# Every ISO 639-1 code: a two-letter code outside this list is a typo.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
vo wa wo xh yi yo za zh zu
""".split())

INTENTS = ("praise", "reaction", "question", "suggestion", "complaint")

# intent -> part kind -> language -> phrasings. The languages the project writes in.
Phrasebook = dict[str, dict[str, dict[str, list[str]]]]

_GREETING: dict[str, list[str]] = {
    "en": ["Hi {name}!"], "fi": ["Hei {name}!"], "nl": ["Hoi {name}!"], "de": ["Hallo {name}!"],
    "es": ["¡Hola, {name}!"], "fr": ["Bonjour {name} !"], "sv": ["Hej {name}!"], "fa": ["سلام {name}!"],
    # The vocative ("Γιώργο", "Jāni") is not the base form {name} is given in: no name.
    "el": ["Γεια σας!"], "lv": ["Sveiki!"],
}

PHRASES: Phrasebook = {
    "praise": {
        "greeting": _GREETING,
        "opener": {
            "en": ["Thank you so much for the kind words!", "Thank you, this made our day!"],
            "fi": ["Kiitos paljon ihanista sanoista!", "Kiitos, tämä ilahdutti päiväämme!"],
            "nl": ["Heel erg bedankt voor je lieve woorden!", "Dank je wel, dit maakt onze dag goed!"],
            "el": ["Σας ευχαριστούμε πολύ για τα καλά σας λόγια!", "Ευχαριστούμε, μας φτιάξατε τη μέρα!"],
            "fa": ["از لطف شما بسیار سپاسگزاریم!", "سپاسگزاریم، روز ما را ساختید!"],
            "lv": ["Liels paldies par jaukajiem vārdiem!", "Paldies, jūs padarījāt mūsu dienu gaišāku!"],
            "de": ["Vielen Dank für die lieben Worte!", "Danke, das hat uns den Tag versüßt!"],
            "es": ["¡Muchas gracias por tus palabras!", "¡Gracias, nos has alegrado el día!"],
            "fr": ["Merci beaucoup pour ces gentils mots !", "Merci, vous avez illuminé notre journée !"],
            "sv": ["Tack så mycket för de fina orden!", "Tack, du gjorde vår dag!"],
        },
        "returning_fan": {
            "en": ["So good to hear from you again!"],
            "fi": ["Aina yhtä mukava kuulla sinusta taas!"],
            "nl": ["Wat fijn om weer van je te horen!"],
            "el": ["Χαιρόμαστε πολύ που σας ξανακούμε!"],
            "fa": ["چه خوب که دوباره از شما می‌شنویم!"],
            "lv": ["Prieks atkal no jums dzirdēt!"],
            "de": ["Wie schön, wieder von dir zu hören!"],
            "es": ["¡Qué alegría saber de ti otra vez!"],
            "fr": ["Quel plaisir de vous lire à nouveau !"],
            "sv": ["Vad roligt att höra från dig igen!"],
        },
        "acknowledge_person": {
            "en": ["We'll pass your words on to {name}.", "Your kind words are going straight to {name}."],
            "fi": ["{name} ilahtuu varmasti, välitämme terveisesi!"],
            "nl": ["We geven je woorden door aan {name}.", "Dit gaan we zeker aan {name} vertellen!"],
            "el": ["Θα μεταφέρουμε τα λόγια σας: {name} θα χαρεί πολύ!"],
            "fa": ["حتماً پیام شما را به {name} می‌رسانیم."],
            "lv": ["{name} ļoti priecāsies par jūsu vārdiem, mēs tos nodosim!"],
            "de": ["Wir geben deine Worte an {name} weiter.", "Dein Lob geht direkt an {name}!"],
            "es": ["Le pasaremos tus palabras a {name}."],
            "fr": ["Nous transmettrons vos mots à {name}."],
            "sv": ["Vi skickar vidare dina ord till {name}."],
        },
        "acknowledge_thing": {
            "en": ["So glad you enjoyed {name}.", "It makes us happy to hear good things about {name}."],
            "fi": ["Kiva kuulla, että {name} on otettu noin lämpimästi vastaan!"],
            "nl": ["Fijn dat je genoten hebt van {name}.", "Wat leuk om te horen over {name}."],
            "el": ["Χαιρόμαστε πολύ, γιατί {name} είναι κάτι που αγαπάμε κι εμείς!"],
            "fa": ["خوشحالیم که {name} را دوست داشتید."],
            "lv": ["Priecājamies, ka jums patika {name}."],
            "de": ["Stichwort {name}: das hören wir richtig gern!"],
            "es": ["Qué alegría leer esto sobre {name}.", "Nos alegra mucho lo que nos cuentas sobre {name}."],
            "fr": ["Quel plaisir de lire cela sur {name}.", "Ravis que tout se soit bien passé avec {name}."],
            "sv": ["Så roligt att du gillar {name}.", "Vad kul att höra om {name}."],
        },
        # Invite them back.
        "next_step": {
            "en": ["We hope to see you again soon!"],
            "fi": ["Toivottavasti nähdään pian uudestaan!"],
            "nl": ["We hopen je snel weer te zien!"],
            "el": ["Ελπίζουμε να σας ξαναδούμε σύντομα!"],
            "fa": ["امیدواریم به زودی دوباره شما را ببینیم!"],
            "lv": ["Ceram drīz jūs atkal redzēt!"],
            "de": ["Wir hoffen, dich bald wiederzusehen!"],
            "es": ["¡Esperamos verte pronto!"],
            "fr": ["Au plaisir de vous revoir bientôt !"],
            "sv": ["Vi hoppas att vi ses snart igen!"],
        },
        "closing": {
            "en": ["Your words mean a lot to our whole team.", "Great that you're part of the {brand} community!"],
            "fi": ["Sanasi merkitsevät paljon koko tiimillemme.", "Mahtavaa, että olet mukana yhteisössämme!"],
            "nl": ["Je woorden betekenen veel voor ons hele team.", "Fijn dat je deel uitmaakt van de {brand}-community!"],
            "el": ["Τα λόγια σας σημαίνουν πολλά για όλη την ομάδα μας.", "Χαιρόμαστε που είστε μέρος της κοινότητάς μας!"],
            "fa": ["سخنان شما برای تمام تیم ما ارزش زیادی دارد.", "خوشحالیم که عضوی از جامعه ما هستید!"],
            "lv": ["Jūsu vārdi ļoti daudz nozīmē visai mūsu komandai.", "Prieks, ka esat mūsu kopienā!"],
            "de": ["Deine Worte bedeuten unserem ganzen Team sehr viel.", "Schön, dass du Teil unserer Community bist!"],
            "es": ["Tus palabras significan mucho para todo nuestro equipo.", "¡Qué bien que formes parte de la comunidad de {brand}!"],
            "fr": ["Vos mots comptent beaucoup pour toute notre équipe.", "Ravis que vous fassiez partie de la communauté {brand} !"],
            "sv": ["Dina ord betyder mycket för hela vårt team.", "Kul att du är en del av vår community!"],
        },
        # Praise as a smaller part of a post about something else.
        "also": {
            "en": ["Thanks for the kind words too!"],
            "fi": ["Kiitos myös kehuista!"],
            "nl": ["En bedankt voor je lieve woorden!"],
            "el": ["Ευχαριστούμε και για τα καλά σας λόγια!"],
            "fa": ["از لطف شما هم سپاسگزاریم!"],
            "lv": ["Paldies arī par jaukajiem vārdiem!"],
            "de": ["Danke auch für die lieben Worte!"],
            "es": ["¡Gracias también por tus palabras!"],
            "fr": ["Merci aussi pour vos gentils mots !"],
            "sv": ["Tack också för de fina orden!"],
        },
        "also_named": {
            "en": ["Thanks for the kind words about {name}!"],
            "fi": ["Kiitos myös kehuista, jotka koskivat tätä: {name}!"],
            "nl": ["En bedankt voor je lieve woorden over {name}!"],
            "el": ["Ευχαριστούμε και για τα καλά λόγια: {name} είναι κάτι που αγαπάμε κι εμείς!"],
            "fa": ["از لطف شما درباره {name} هم سپاسگزاریم!"],
            "lv": ["Priecājamies, ka jums patika arī {name}!"],
            "de": ["Und {name} – danke auch für die lieben Worte dazu!"],
            "es": ["¡Y gracias también por tus palabras sobre {name}!"],
            "fr": ["Et merci aussi pour vos gentils mots sur {name} !"],
            "sv": ["Och tack för de fina orden om {name}!"],
        },
    },
    "reaction": {
        "greeting": _GREETING,
        "opener": {
            "en": ["Thank you, that makes us happy!", "Thank you, we're so glad!"],
            "fi": ["Kiitos, ilahduttaa meitä kovasti!", "Kiitos, tämä lämmittää mieltämme!"],
            "nl": ["Dank je wel, daar worden we blij van!", "Dank je, wat leuk!"],
            "el": ["Σας ευχαριστούμε, χαιρόμαστε πολύ!", "Ευχαριστούμε, μας κάνετε χαρούμενους!"],
            "fa": ["سپاس از شما، بسیار خوشحالیم!", "ممنونیم، ما را خوشحال کردید!"],
            "lv": ["Paldies, mēs ļoti priecājamies!", "Paldies, tas mūs iepriecina!"],
            "de": ["Danke, das freut uns sehr!", "Danke, da freuen wir uns!"],
            "es": ["¡Gracias, nos alegra mucho!", "¡Gracias, nos hace muy felices!"],
            "fr": ["Merci, ça nous fait très plaisir !", "Merci, vous nous rendez heureux !"],
            "sv": ["Tack, vad glada vi blir!", "Tack, det värmer!"],
        },
        "returning_fan": {
            "en": ["So good to hear from you again!"],
            "fi": ["Aina yhtä mukava kuulla sinusta!"],
            "nl": ["Wat fijn om weer van je te horen!"],
            "el": ["Χαιρόμαστε που σας ξανακούμε!"],
            "fa": ["چه خوب که دوباره از شما می‌شنویم!"],
            "lv": ["Prieks atkal no jums dzirdēt!"],
            "de": ["Schön, wieder von dir zu hören!"],
            "es": ["¡Qué alegría saber de ti otra vez!"],
            "fr": ["Quel plaisir de vous relire !"],
            "sv": ["Vad roligt att höra från dig igen!"],
        },
        "acknowledge_thing": {
            "en": ["So glad you like {name}!"],
            "fi": ["Kiva kuulla, että {name} on otettu noin lämpimästi vastaan!"],
            "nl": ["Fijn dat je blij bent met {name}!"],
            "el": ["Χαιρόμαστε πολύ, γιατί {name} είναι κάτι που αγαπάμε κι εμείς!"],
            "fa": ["خوشحالیم که {name} را دوست دارید!"],
            "lv": ["Priecājamies, ka jums patīk {name}!"],
            "de": ["Freut uns, dass es dir gefällt – Stichwort {name}!"],
            "es": ["Nos alegra leer esto sobre {name}."],
            "fr": ["Ça fait plaisir de lire ça sur {name} !"],
            "sv": ["Vad kul att du gillar {name}!"],
        },
        "next_step": {
            "en": ["See you soon!"],
            "fi": ["Nähdään pian!"],
            "nl": ["Hopelijk tot snel!"],
            "el": ["Τα λέμε σύντομα!"],
            "fa": ["به امید دیدار!"],
            "lv": ["Uz drīzu tikšanos!"],
            "de": ["Bis bald!"],
            "es": ["¡Hasta pronto!"],
            "fr": ["À bientôt !"],
            "sv": ["Vi ses snart!"],
        },
        "closing": {
            "en": ["Great that you're here!"],
            "fi": ["Mahtavaa, että olet mukana!"],
            "nl": ["Fijn dat je er bent!"],
            "el": ["Χαιρόμαστε που είστε εδώ!"],
            "fa": ["خوشحالیم که همراه ما هستید!"],
            "lv": ["Prieks, ka esat ar mums!"],
            "de": ["Schön, dass du dabei bist!"],
            "es": ["¡Qué bien que estés aquí!"],
            "fr": ["Contents de vous compter parmi nous !"],
            "sv": ["Kul att du är här!"],
        },
        "also": {
            "en": ["And thanks for the love!"],
            "fi": ["Kiitos myös ihanasta viestistä!"],
            "nl": ["En bedankt voor je leuke reactie!"],
            "el": ["Και ευχαριστούμε για την αγάπη!"],
            "fa": ["و از محبت شما ممنونیم!"],
            "lv": ["Un paldies par jauko ziņu!"],
            "de": ["Und danke auch für die nette Reaktion!"],
            "es": ["¡Y gracias por el cariño!"],
            "fr": ["Et merci pour ce petit mot sympa !"],
            "sv": ["Och tack för den fina hälsningen!"],
        },
        "also_named": {
            "en": ["So glad you like {name}!"],
            "fi": ["Kiva kuulla, että {name} on otettu noin lämpimästi vastaan!"],
            "nl": ["Fijn dat je blij bent met {name}!"],
            "el": ["Χαιρόμαστε πολύ, γιατί {name} είναι κάτι που αγαπάμε κι εμείς!"],
            "fa": ["خوشحالیم که {name} را دوست دارید!"],
            "lv": ["Priecājamies, ka jums patīk {name}!"],
            "de": ["Freut uns, dass es dir gefällt – Stichwort {name}!"],
            "es": ["Nos alegra leer esto sobre {name}."],
            "fr": ["Ça fait plaisir de lire ça sur {name} !"],
            "sv": ["Vad kul att du gillar {name}!"],
        },
    },
    "question": {
        "greeting": _GREETING,
        "opener": {
            "en": ["Thanks for asking!", "Good question, thanks!"],
            "fi": ["Kiitos kysymyksestä!", "Hyvä kysymys, kiitos!"],
            "nl": ["Bedankt voor je vraag!", "Goede vraag, dank je!"],
            "el": ["Ευχαριστούμε για την ερώτηση!", "Καλή ερώτηση, ευχαριστούμε!"],
            "fa": ["از سوال شما سپاسگزاریم!", "سوال خوبی است، ممنونیم!"],
            "lv": ["Paldies par jautājumu!", "Labs jautājums, paldies!"],
            "de": ["Danke für deine Frage!", "Gute Frage, danke!"],
            "es": ["¡Gracias por tu pregunta!", "¡Buena pregunta, gracias!"],
            "fr": ["Merci pour votre question !", "Bonne question, merci !"],
            "sv": ["Tack för frågan!", "Bra fråga, tack!"],
        },
        # A question no fact answers: "we'll find out", never a neighbouring fact.
        "unanswered": {
            "en": ["We'll check the details and get back to you here. You can also reach our team at {support_email}."],
            "fi": ["Selvitämme asian ja vastaamme tässä. Tiimimme tavoittaa myös osoitteesta {support_email}."],
            "nl": ["We zoeken het uit en komen hier bij je terug. Je kunt ons team ook bereiken via {support_email}."],
            "el": ["Θα ελέγξουμε και θα σας απαντήσουμε εδώ. Μπορείτε επίσης να γράψετε στην ομάδα μας στο "
                   "{support_email}."],
            "fa": ["موضوع را بررسی می‌کنیم و همین‌جا پاسخ می‌دهیم. همچنین می‌توانید با تیم ما از طریق "
                   "{support_email} در تماس باشید."],
            "lv": ["Mēs to noskaidrosim un atbildēsim šeit. Mūsu komandai varat rakstīt arī uz {support_email}."],
            "de": ["Wir klären das und melden uns hier bei dir. Du erreichst unser Team auch unter {support_email}."],
            "es": ["Lo comprobamos y te respondemos aquí. También puedes escribir a nuestro equipo en "
                   "{support_email}."],
            "fr": ["Nous vérifions et nous revenons vers vous ici. Vous pouvez aussi écrire à notre équipe à "
                   "{support_email}."],
            "sv": ["Vi tar reda på det och återkommer här. Du når också vårt team på {support_email}."],
        },
        "closing": {
            "en": ["Anything else, just ask us.", "We hope that helps!"],
            "fi": ["Kysy vain, jos mieleen tulee muuta.", "Toivottavasti tästä oli apua!"],
            "nl": ["Heb je nog iets anders, vraag het ons gerust.", "We hopen dat je hiermee verder kunt!"],
            "el": ["Για οτιδήποτε άλλο, ρωτήστε μας.", "Ελπίζουμε να σας βοηθήσαμε!"],
            "fa": ["اگر سوال دیگری دارید، از ما بپرسید.", "امیدواریم کمکی کرده باشیم!"],
            "lv": ["Ja ir vēl kādi jautājumi, droši jautājiet mums.", "Ceram, ka tas palīdz!"],
            "de": ["Frag uns gern, wenn noch etwas offen ist.", "Wir hoffen, das hilft dir weiter!"],
            "es": ["Si tienes otra pregunta, aquí estamos.", "¡Esperamos que te sirva!"],
            "fr": ["Pour toute autre question, nous sommes là.", "Nous espérons que cela vous aide !"],
            "sv": ["Fråga oss gärna om du undrar något mer.", "Vi hoppas att det hjälper!"],
        },
        "also": {
            "en": ["And thanks for your question!"],
            "fi": ["Kiitos myös kysymyksestä!"],
            "nl": ["En bedankt voor je vraag!"],
            "el": ["Και ευχαριστούμε για την ερώτηση!"],
            "fa": ["و از سوال شما هم ممنونیم!"],
            "lv": ["Un paldies par jautājumu!"],
            "de": ["Und danke für deine Frage!"],
            "es": ["¡Y gracias por tu pregunta!"],
            "fr": ["Et merci pour votre question !"],
            "sv": ["Och tack för frågan!"],
        },
        "also_named": {
            "en": ["Thanks for asking about {name} too!"],
            "fi": ["Kiitos myös kysymyksestä, joka koski tätä: {name}!"],
            "nl": ["Bedankt ook voor je vraag over {name}!"],
            "el": ["Ευχαριστούμε και για την ερώτησή σας (θέμα: {name})!"],
            "fa": ["از سوال شما درباره {name} هم ممنونیم!"],
            "lv": ["Un {name} – paldies arī par jautājumu!"],
            "de": ["Und {name} – danke auch für deine Frage dazu!"],
            "es": ["¡Gracias también por tu pregunta sobre {name}!"],
            "fr": ["Merci aussi pour votre question sur {name} !"],
            "sv": ["Tack också för frågan om {name}!"],
        },
    },
    "suggestion": {
        "greeting": _GREETING,
        "opener": {
            "en": ["What a good idea, thank you!", "Thanks for the idea!"],
            "fi": ["Hyvä idea, kiitos!", "Kiitos ideasta!"],
            "nl": ["Wat een goed idee, dank je wel!", "Bedankt voor het idee!"],
            "el": ["Τι καλή ιδέα, σας ευχαριστούμε!", "Ευχαριστούμε για την ιδέα!"],
            "fa": ["چه ایده خوبی، سپاسگزاریم!", "از ایده شما ممنونیم!"],
            "lv": ["Lieliska ideja, paldies!", "Paldies par ideju!"],
            "de": ["Was für eine gute Idee, danke!", "Danke für die Idee!"],
            "es": ["¡Qué buena idea, gracias!", "¡Gracias por la idea!"],
            "fr": ["Quelle bonne idée, merci !", "Merci pour l'idée !"],
            "sv": ["Vilken bra idé, tack!", "Tack för idén!"],
        },
        "acknowledge_thing": {
            "en": ["Thanks for thinking about {name}."],
            "fi": ["Kiitos, että mietit tätä: {name}."],
            "nl": ["Fijn dat je meedenkt over {name}."],
            "el": ["Ευχαριστούμε που το σκεφτήκατε (θέμα: {name})."],
            "fa": ["ممنون که درباره {name} فکر کردید."],
            "lv": ["Paldies, ka domājat līdzi: {name}."],
            "de": ["Stichwort {name}: schön, dass du mitdenkst."],
            "es": ["Gracias por pensar en {name}."],
            "fr": ["Merci pour vos idées sur {name}."],
            "sv": ["Tack för att du tänker på {name}."],
        },
        # Passed on, with no promise that it will happen.
        "next_step": {
            "en": ["We'll pass it on to our team.", "We'll share it with the team that decides."],
            "fi": ["Viemme sen tiimillemme.", "Välitämme sen tiimille, joka asiasta päättää."],
            "nl": ["We delen het met ons team.", "We geven het door aan het team dat erover beslist."],
            "el": ["Θα τη μοιραστούμε με την ομάδα μας.", "Θα τη μεταφέρουμε στην ομάδα που αποφασίζει."],
            "fa": ["آن را با تیم خود در میان می‌گذاریم.", "آن را به تیمی که تصمیم می‌گیرد می‌رسانیم."],
            "lv": ["Mēs to nodosim savai komandai.", "Mēs to nodosim komandai, kas par to lemj."],
            "de": ["Wir geben sie an unser Team weiter.", "Wir geben sie an das Team weiter, das darüber entscheidet."],
            "es": ["La compartiremos con nuestro equipo.", "Se la pasaremos al equipo que decide."],
            "fr": ["Nous la partageons avec notre équipe.", "Nous la transmettons à l'équipe qui décide."],
            "sv": ["Vi delar den med vårt team.", "Vi skickar den vidare till teamet som bestämmer."],
        },
        "closing": {
            "en": ["Keep the ideas coming: our community makes us better."],
            "fi": ["Kerro lisää ideoita: yhteisömme tekee meistä parempia."],
            "nl": ["Blijf vooral ideeën sturen: onze community maakt ons beter."],
            "el": ["Συνεχίστε να μας γράφετε ιδέες: η κοινότητά μας μας κάνει καλύτερους."],
            "fa": ["لطفاً ایده‌هایتان را با ما به اشتراک بگذارید: جامعه ما ما را بهتر می‌کند."],
            "lv": ["Dalieties ar idejām arī turpmāk: mūsu kopiena padara mūs labākus."],
            "de": ["Schick uns gern weitere Ideen: unsere Community macht uns besser."],
            "es": ["Sigue enviándonos ideas: nuestra comunidad nos hace mejores."],
            "fr": ["N'hésitez pas à nous envoyer d'autres idées : notre communauté nous rend meilleurs."],
            "sv": ["Skicka gärna fler idéer: vår community gör oss bättre."],
        },
        "also": {
            "en": ["Thanks for the idea too, we'll pass it on."],
            "fi": ["Kiitos myös ideasta, välitämme sen eteenpäin."],
            "nl": ["Bedankt ook voor het idee, we geven het door."],
            "el": ["Ευχαριστούμε και για την ιδέα, θα τη μεταφέρουμε."],
            "fa": ["از ایده شما هم ممنونیم، آن را به تیم می‌رسانیم."],
            "lv": ["Paldies arī par ideju, mēs to nodosim tālāk."],
            "de": ["Danke auch für die Idee, wir geben sie weiter."],
            "es": ["Gracias también por la idea, la compartiremos con el equipo."],
            "fr": ["Merci aussi pour l'idée, nous la transmettons."],
            "sv": ["Tack också för idén, vi skickar den vidare."],
        },
        "also_named": {
            "en": ["Thanks for the idea about {name}, we'll pass it on."],
            "fi": ["Kiitos myös ideasta, joka koski tätä: {name}. Välitämme sen eteenpäin."],
            "nl": ["Bedankt ook voor je idee over {name}, we geven het door."],
            "el": ["Ευχαριστούμε και για την ιδέα σας (θέμα: {name}), θα τη μεταφέρουμε."],
            "fa": ["از ایده شما درباره {name} هم ممنونیم، آن را به تیم می‌رسانیم."],
            "lv": ["Un {name} – paldies arī par ideju, mēs to nodosim tālāk."],
            "de": ["Und {name} – danke auch für die Idee dazu, wir geben sie weiter."],
            "es": ["Gracias también por tu idea sobre {name}, la compartiremos con el equipo."],
            "fr": ["Merci aussi pour votre idée sur {name}, nous la transmettons."],
            "sv": ["Tack också för idén om {name}, vi skickar den vidare."],
        },
    },
    "complaint": {
        "greeting": _GREETING,
        # Sorry for the trouble, without admitting fault before anyone knows what happened.
        "opener": {
            "en": ["We're really sorry about this, and thank you for telling us.",
                   "We're sorry for the trouble, and thanks for letting us know."],
            "fi": ["Olemme todella pahoillamme, ja kiitos kun kerroit.",
                   "Olemme pahoillamme harmista, ja kiitos kun kerroit."],
            "nl": ["Het spijt ons echt, en bedankt dat je het laat weten.",
                   "Sorry voor het gedoe, en bedankt dat je het meldt."],
            "el": ["Λυπούμαστε πραγματικά και σας ευχαριστούμε που μας το είπατε.",
                   "Λυπούμαστε για την ταλαιπωρία και ευχαριστούμε που μας ενημερώσατε."],
            "fa": ["واقعاً متأسفیم و از اینکه به ما گفتید سپاسگزاریم.",
                   "بابت این مشکل متأسفیم؛ ممنون که به ما خبر دادید."],
            "lv": ["Mums patiešām ļoti žēl, un paldies, ka pastāstījāt.",
                   "Atvainojiet par sagādātajām raizēm, un paldies, ka pateicāt."],
            "de": ["Das tut uns wirklich leid, und danke, dass du es uns sagst.",
                   "Sorry für den Ärger, und danke für den Hinweis."],
            "es": ["Lo sentimos de verdad, y gracias por contárnoslo.",
                   "Sentimos las molestias, y gracias por avisarnos."],
            "fr": ["Nous sommes vraiment désolés, et merci de nous l'avoir signalé.",
                   "Désolés pour ce souci, et merci de nous prévenir."],
            "sv": ["Vi är verkligen ledsna för det här, och tack för att du berättar.",
                   "Förlåt för besväret, och tack för att du säger till."],
        },
        "acknowledge_thing": {
            "en": ["We'll look into what happened with {name}."],
            "fi": ["Selvitämme, mitä tapahtui: {name}."],
            "nl": ["We zoeken uit wat er is gebeurd met {name}."],
            "el": ["Θα εξετάσουμε γιατί δεν σας ικανοποίησε {name}."],
            "fa": ["بررسی می‌کنیم چه اتفاقی برای {name} افتاده است."],
            "lv": ["Mēs noskaidrosim, kāpēc šoreiz jūs neapmierināja {name}."],
            "de": ["Stichwort {name}: wir schauen uns genau an, was da passiert ist."],
            "es": ["Vamos a ver qué ha pasado con {name}."],
            "fr": ["Nous allons voir ce qui s'est passé avec {name}."],
            "sv": ["Vi tar reda på vad som hände med {name}."],
        },
        "next_step": {
            "en": ["Please send the details to {support_email} and we'll sort it out as soon as we can."],
            "fi": ["Lähetäthän tiedot osoitteeseen {support_email}, niin selvitämme asian mahdollisimman pian."],
            "nl": ["Stuur de details naar {support_email}, dan zoeken we het zo snel mogelijk uit."],
            "el": ["Στείλτε μας τις λεπτομέρειες στο {support_email} και θα το φροντίσουμε το συντομότερο."],
            "fa": ["لطفاً جزئیات را به {support_email} بفرستید تا هر چه زودتر پیگیری کنیم."],
            "lv": ["Lūdzu, nosūtiet informāciju uz {support_email}, un mēs to izskatīsim pēc iespējas ātrāk."],
            "de": ["Schick uns die Details an {support_email}, dann kümmern wir uns so schnell wie möglich darum."],
            "es": ["Envíanos los detalles a {support_email} y lo revisaremos lo antes posible."],
            "fr": ["Envoyez-nous les détails à {support_email} et nous nous en occupons au plus vite."],
            "sv": ["Skicka detaljerna till {support_email} så tittar vi på det så snart vi kan."],
        },
        "closing": {
            "en": ["Thanks again for the feedback, it helps us get better."],
            "fi": ["Kiitos vielä palautteesta, se auttaa meitä kehittymään."],
            "nl": ["Nogmaals bedankt voor je feedback, daar worden we beter van."],
            "el": ["Ευχαριστούμε ξανά για τα σχόλιά σας, μας βοηθούν να γινόμαστε καλύτεροι."],
            "fa": ["باز هم از بازخورد شما ممنونیم؛ به ما کمک می‌کند بهتر شویم."],
            "lv": ["Vēlreiz paldies par atsauksmi, tā palīdz mums kļūt labākiem."],
            "de": ["Danke nochmal für dein Feedback, so werden wir besser."],
            "es": ["Gracias de nuevo por tu opinión, nos ayuda a mejorar."],
            "fr": ["Merci encore pour votre retour, il nous aide à progresser."],
            "sv": ["Tack igen för din feedback, den hjälper oss att bli bättre."],
        },
        "also": {
            "en": ["We're sorry about the trouble with that, it shouldn't happen."],
            "fi": ["Olemme pahoillamme siitä harmista, näin ei pitäisi käydä."],
            "nl": ["Sorry voor het gedoe daarmee, zo hoort het niet te gaan."],
            "el": ["Λυπούμαστε για την ταλαιπωρία, δεν θα έπρεπε να συμβαίνει."],
            "fa": ["بابت این مشکل متأسفیم؛ نباید این‌طور می‌شد."],
            "lv": ["Mums žēl par šīm raizēm, tā nedrīkstētu notikt."],
            "de": ["Das mit dem Ärger tut uns leid, so sollte es nicht sein."],
            "es": ["Sentimos los problemas con eso, no debería pasar."],
            "fr": ["Désolés pour ce souci, cela ne devrait pas arriver."],
            "sv": ["Vi är ledsna för besväret med det, så ska det inte vara."],
        },
        "also_named": {
            "en": ["We're sorry {name} let you down this time."],
            "fi": ["Olemme pahoillamme, että tällä kertaa petyit: {name}."],
            "nl": ["Het spijt ons dat het deze keer misging met {name}."],
            "el": ["Λυπούμαστε που αυτή τη φορά δεν σας ικανοποίησε {name}."],
            "fa": ["متأسفیم که این بار {name} مطابق انتظار شما نبود."],
            "lv": ["Mums žēl, ka šoreiz jūs neapmierināja {name}."],
            "de": ["Und {name} – es tut uns leid, dass es damit diesmal nicht geklappt hat."],
            "es": ["Sentimos que esta vez no todo saliera bien con {name}."],
            "fr": ["Nous sommes désolés que cela se soit mal passé avec {name} cette fois."],
            "sv": ["Vi är ledsna att det inte blev bra med {name} den här gången."],
        },
    },
}

WRITTEN = tuple(PHRASES["praise"]["opener"])  # en fi nl el fa lv de es fr sv

# The template (the fallback) of each intent: these parts' first phrasings, in order (the
# closing's last: the first thanks for the words the opener already thanked for).
TEMPLATE_PARTS = {
    "praise": ("opener", "closing"),
    "reaction": ("opener",),
    "question": ("opener", "unanswered"),
    "suggestion": ("opener", "next_step", "closing"),
    "complaint": ("opener", "next_step", "closing"),
}

PLAYBOOK_TEXT = {
    "praise": ("002 moment of truth 1; 000/001 answer everyone",
               "Thank them warmly and specifically, and make them feel part of our community.",
               ["Thank them for the specific thing they liked.", "Say what it means to the team.",
                "Invite them back or into the community."]),
    "reaction": ("000/001: a lone heart or a short 'I like it' gets a warm line",
                 "Answer a small reaction with one short, warm line. Match its length.",
                 ["One short line of thanks in our voice."]),
    "question": ("002 moment of truth 3; 004 answer publicly in the channel used",
                 "Answer the question from our facts only, publicly and specifically. If the facts do not "
                 "cover it, say we will find out and how to reach us.",
                 ["Thank them for asking.", "Answer from the facts, and only the facts.",
                  "If the facts do not answer it, say we will check and point to our support e-mail."]),
    "suggestion": ("002 moment of truth 4; 000/001 constructive feedback is free market research",
                   "Thank them for the idea, say honestly what happens with it, and invite more.",
                   ["Thank them for the idea.",
                    "Say we will pass it to the team that decides (no promise that it will happen).",
                    "Invite them to keep sharing ideas with our community."]),
    "complaint": ("004 root causes 1-2; 000/001 stay calm and objective",
                  "Acknowledge the problem, apologise sincerely for the trouble, take responsibility for "
                  "putting it right, address every point raised, and give a concrete next step. Never argue, "
                  "and never admit fault in public before we know what happened.",
                  ["Acknowledge what went wrong, in their words.",
                   "Apologise sincerely for the trouble (no \"for any inconvenience\", no \"that's on us\").",
                   "Address every point they raised.",
                   "Give one concrete next step (for example, e-mail us the details).",
                   "Offer a gesture only if it is one of the allowed gestures."]),
}

# An example fact in every language: replace it with the brand's own.
OPENING_HOURS = {
    "en": "We are open Monday to Friday, 9:00-17:00.",
    "fi": "Olemme avoinna maanantaista perjantaihin klo 9-17.",
    "nl": "We zijn open van maandag tot en met vrijdag, 9.00-17.00 uur.",
    "el": "Είμαστε ανοιχτά Δευτέρα έως Παρασκευή, 9:00-17:00.",
    "fa": "ما از دوشنبه تا جمعه، ساعت ۹ تا ۱۷ باز هستیم.",
    "lv": "Mēs esam atvērti no pirmdienas līdz piektdienai, 9:00-17:00.",
    "de": "Wir haben Montag bis Freitag von 9 bis 17 Uhr geöffnet.",
    "es": "Abrimos de lunes a viernes, de 9:00 a 17:00.",
    "fr": "Nous sommes ouverts du lundi au vendredi, de 9 h à 17 h.",
    "sv": "Vi har öppet måndag till fredag kl. 9-17.",
}

# How people ask for each example fact (matched by meaning, in any language).
FACT_QUESTIONS = {
    "opening_hours": {
        "en": ["what are your opening hours", "what time do you open"],
        "fi": ["mihin aikaan olette auki"], "nl": ["wat zijn jullie openingstijden"],
        "el": ["ποιες είναι οι ώρες λειτουργίας σας"], "fa": ["ساعت کاری شما چیست"],
        "lv": ["kāds ir jūsu darba laiks"], "de": ["wann habt ihr geöffnet"],
        "es": ["¿cuál es vuestro horario?"], "fr": ["quels sont vos horaires d'ouverture"],
        "sv": ["vilka öppettider har ni"],
    },
    "support_email": {
        "en": ["what's your email address", "how can I contact you"],
        "fi": ["mikä on sähköpostiosoitteenne"], "nl": ["wat is jullie e-mailadres"],
        "el": ["ποιο είναι το email σας"], "fa": ["آدرس ایمیل شما چیست"],
        "lv": ["kāda ir jūsu e-pasta adrese"], "de": ["wie lautet eure E-Mail-Adresse"],
        "es": ["¿cuál es vuestro correo electrónico?"], "fr": ["quelle est votre adresse e-mail"],
        "sv": ["vilken e-postadress har ni"],
    },
    "website": {
        "en": ["do you have a website"], "fi": ["onko teillä nettisivut"], "nl": ["hebben jullie een website"],
        "el": ["έχετε ιστοσελίδα"], "fa": ["وب‌سایت دارید"], "lv": ["vai jums ir mājaslapa"],
        "de": ["habt ihr eine Webseite"], "es": ["¿tenéis página web?"], "fr": ["vous avez un site internet"],
        "sv": ["har ni en webbplats"],
    },
}

TRANSLATE = "  # TODO: translate"


@dataclass
class Scaffold:
    brand_id: str
    text: str
    untranslated: list[str] = field(default_factory=list)  # languages given the English phrasings


def parse_languages(value: str) -> list[str]:
    """``"en, fi,DE"`` -> ["en", "fi", "de"]; AssistantError (one line) for a code that is not ISO 639-1."""
    codes: list[str] = []
    for raw in re.split(r"[,\s]+", value.strip()):
        if not raw:
            continue
        code = raw.lower()
        if not re.fullmatch(r"[a-z]{2}", code):
            raise AssistantError(f"{raw!r} is not a language code",
                                 "give two-letter ISO 639-1 codes separated by commas, such as --languages en,fi,de")
        if code not in ISO_639_1:
            raise AssistantError(f"{raw!r} is not an ISO 639-1 language code",
                                 "give two-letter codes such as en, fi, de, nl, fr, es, sv")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise AssistantError("no languages given", "name at least one, such as --languages en")
    return codes


def brand_id(name: str) -> str:
    """The brand's id and file name: "Acme Bikes" -> "acme-bikes"."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if not slug:
        raise AssistantError(f"{name!r} makes no file name",
                             "give the brand's name in letters or digits, such as `assistant policy init acme`")
    if len(slug) > MAX_ID:
        raise AssistantError(f"the brand name makes a file name of {len(slug)} characters (at most {MAX_ID})",
                             "give a shorter name, or --out with a shorter file name")
    return slug


MAX_ID = 100  # file systems allow 255 bytes for a name; a brand id is also typed in commands


def display_name(name: str) -> str:
    """How the brand writes its name: as given, or "acme-bikes" -> "Acme Bikes"."""
    name = " ".join(name.split())
    if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", name):
        return " ".join(w.capitalize() for w in re.split(r"[-_]", name))
    return name


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def phrasings(intent: str, kind: str, language: str) -> tuple[list[str], bool]:
    """The phrasings of one part in ``language``, and whether they are the English ones standing in."""
    table = PHRASES[intent][kind]
    if language in table:
        return table[language], False
    return table["en"], True


def render(name: str, languages: list[str], path: str | None = None) -> Scaffold:
    """The policy file's text for brand ``name`` answering in ``languages`` (first: the default);
    ``path``: where it will be written (named in its first lines)."""
    bid = brand_id(name)
    shown = display_name(name)
    domain = f"{bid}.example"
    untranslated = [lang for lang in languages if lang not in WRITTEN]
    out: list[str] = []
    add = out.append

    add(f"# Tone policy for {shown}, made by `assistant policy init`. Fill in every line marked TODO,")
    add(f"# then check it with:  assistant policy check {path or f'policies/{bid}.yaml'}")
    add("# The sections are described in README.md, \"Writing a tone policy\"; policies/aurora-roasters.yaml")
    add("# and examples/policies/de-spaak.yaml are complete examples.")
    if untranslated:
        add(f"# Languages with English stand-ins marked TODO: translate: {', '.join(untranslated)}.")
    add("")
    add("brand:")
    add(f"  name: {_q(shown)}  # TODO: your brand's name, as you write it")
    add(f"  website: {_q('TODO: your website, e.g. https://' + domain)}")
    add("  # TODO: your accounts, so posts by them are read as the brand's own, e.g.")
    add(f"  #   mastodon: \"@{bid}@mastodon.social\"")
    add(f"  #   bluesky: {bid}.bsky.social")
    add("  handles: {}")
    add("  # Names people use for you, and common misspellings (to find indirect mentions).")
    add(f"  aliases: [{_q(shown)}]  # TODO: other names people use")
    add("  misspellings: []  # TODO: e.g. a missing letter, a joined-up name")
    add("")
    add("voice:")
    add("  # Speak as \"we\", build a bond with \"our community\" (000/001, 003).")
    add("  person: we")
    add("  community_phrases: [our community]  # TODO: your own, in each language")
    add("  formality: friendly  # casual, friendly or formal")
    add("  emoji:")
    add("    max: 1")
    add("    preferred: []  # TODO: one or two that fit the brand")
    add("  # Phrases that sound like a soapbox or a brush-off, or admit fault before anyone knows what")
    add("  # happened. TODO: add them in each of your languages.")
    add("  forbidden_phrases:")
    for phrase in ("as per our policy", "we apologize for any inconvenience", "calm down", "you're wrong",
                   "per my last message", "that's on us", "as an AI", "language model"):
        add(f"    - {_q(phrase)}")
    add("  max_length: {default: 500, mastodon: 500, bluesky: 300, x: 280}")
    add("")
    add(f"# A post in a language not listed here is answered in the first one ({languages[0]}).")
    add(f"languages: [{', '.join(languages)}]")
    add("")
    add("# The only facts a reply may state. Anything else (a price, a date, a link, a code) that is")
    add("# neither here nor in the post is refused by the guard. One string when it reads the same in")
    add("# every language (an e-mail, a link), else one text per language. TODO: your own facts.")
    add("facts:")
    add(f"  support_email: hello@{domain}  # TODO: your support e-mail")
    add(f"  website: https://{domain}  # TODO: your website")
    add("  opening_hours:  # TODO: your hours, or remove this fact")
    for lang in languages:
        add(f"    {lang}: {_q(OPENING_HOURS.get(lang, OPENING_HOURS['en']))}"
            + (TRANSLATE if lang not in OPENING_HOURS else ""))
    add("")
    add("# How people ask for each fact, in any language and register: a question is matched to")
    add("# these by meaning. The more languages and phrasings, the better.")
    add("fact_questions:")
    for key, by_lang in FACT_QUESTIONS.items():
        add(f"  {key}:")
        for lang in dict.fromkeys(["en", *languages]):
            for question in by_lang.get(lang, []):
                add(f"    - {_q(question)}")
    add("")
    add("# Questions near the facts that the facts do NOT answer, by topic: a question closest to")
    add("# one of these gets \"we'll find out\", never a neighbouring fact. For example:")
    add("#   holiday_opening:")
    add("#     - are you open on Christmas Eve")
    add("unanswered_questions: {}")
    add("")
    add("# What posts name: products, places, people and events. A draft acknowledges what a post")
    add("# names, as `say` puts it in that language: the base (nominative) form, singular, so it reads")
    add("# right wherever a phrasing puts {name}. A complaint never names a member of staff. For example:")
    add("#   - id: flagship")
    add("#     kind: product  # product, place, person or event")
    add("#     names: [Flagship, the flagship]  # as people write it; or per language, with `any`")
    add(f"#     say: {{{languages[0]}: \"our Flagship\"}}")
    add("#   - id: anna")
    add("#     kind: person")
    add("#     names: [Anna]")
    add("catalog: []")
    add("")
    add("# Per intent: what a reply is composed from (`parts`, several phrasings per language; a")
    add("# draft picks one by the post, Regenerate the next) and a template per language (the")
    add("# fallback). {name} is what the post named, in its base form; {brand} and every fact")
    add("# ({support_email}, ...) are variables. greeting: for a post its author signed. also /")
    add("# also_named: what this intent says when it is a smaller part of a post. TODO: make them")
    add("# sound like you.")
    add("playbooks:")
    for intent in INTENTS:
        source, goal, steps = PLAYBOOK_TEXT[intent]
        add(f"  {intent}:")
        add(f"    source: {_q(source)}")
        add(f"    goal: {_q(goal)}")
        add("    steps:")
        for step in steps:
            add(f"      - {_q(step)}")
        add("    parts:")
        for kind in PHRASES[intent]:
            add(f"      {kind}:")
            for lang in languages:
                texts, stand_in = phrasings(intent, kind, lang)
                add(f"        {lang}: {_list(texts)}" + (TRANSLATE if stand_in else ""))
        add("    templates:")
        for lang in languages:
            stand_in = False
            sentences = []
            for kind in TEMPLATE_PARTS[intent]:
                texts, missing = phrasings(intent, kind, lang)
                sentences.append(texts[-1] if kind == "closing" else texts[0])
                stand_in = stand_in or missing
            add(f"      {lang}: {_q(' '.join(sentences))}" + (TRANSLATE if stand_in else ""))
    add("")
    add("# High severity (safety, legal, fraud, press...) goes to people, with no draft (004).")
    add("escalation:")
    add("  - name: crisis")
    add("    severity: [high]")
    add(f"    team: {_q('TODO: who handles crises (PR, legal)')}")
    add("    # channel: \"#escalations\"  # TODO: the Slack channel for them")
    add("    source: \"004 severity decides the response\"")
    add("")
    add("# The only gestures a reply may offer; any other offer is refused by the guard. For example:")
    add("#   - id: free-shipping")
    add("#     offer: free shipping on your next order")
    add("#     intents: [complaint]")
    add("#     keywords: [free shipping]")
    add("gestures: []")
    add("")
    add("moderation:")
    add("  abuse: hide")
    add("  spam: ignore")
    add("")
    add("review:")
    add("  # channel: \"#replies\"  # TODO: the Slack channel where drafts wait for approval")
    add("  approvers: []")
    add("  response_target_minutes: 60")
    return Scaffold(brand_id=bid, text="\n".join(out) + "\n", untranslated=untranslated)


def write_scaffold(name: str, languages: list[str], path: Path) -> Scaffold:
    """Write the scaffold to ``path``, never over an existing file; it is checked as
    `assistant policy check` would first, so what is written loads."""
    from assistant.policy.models import check_text

    if path.exists() or path.is_symlink():
        raise AssistantError(f"{path} already exists; nothing was written",
                             "give another --out, or remove the file first")
    scaffold = render(name, languages, str(path))
    policy, problems = check_text(scaffold.text, str(path))
    if policy is None:  # a bug here, not the user's: say so rather than write a broken file
        raise AssistantError(f"the scaffold for {name!r} does not pass the policy check: {problems[0]}",
                             "please report it; nothing was written")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:  # "x": a file made meanwhile is not overwritten
            f.write(scaffold.text)
    except FileExistsError:
        raise AssistantError(f"{path} already exists; nothing was written",
                             "give another --out, or remove the file first") from None
    except OSError as exc:
        raise AssistantError(f"cannot write {path}: {exc.strerror}", "give another --out") from None
    return scaffold
