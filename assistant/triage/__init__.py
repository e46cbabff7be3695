"""Triage: language, intent, severity and the recommended action for a mention.

How a post is read, in order:
1. the named rules in rules.py: an exact rule (prompt injection with nothing else,
   a bare link to another shop, emoji only) decides; any other rule casts a vote;
2. a classifier over the post's multilingual embedding (classifier.py), trained
   on every labelled post in every language, gives each intent a probability; the
   rules' vote adds ``VOTE_WEIGHT`` to its log-odds, so a keyword decides only
   when the meaning does not clearly say otherwise;
3. severity is high when a rule names a crisis (safety, legal, fraud, press,
   breach, threat) *or* when the post reads like the high-severity examples: the
   safety net for crises phrased in words no list holds. A missed crisis costs far
   more than a false alarm;
4. abuse aimed at people, with no part of the post a complaint, question or
   suggestion, is recommended for hiding (a person confirms on the card); otherwise
   a person decides.

The post is also read in parts (reading.py): each sentence or turning clause gets
its own intent, so a post can be praise + a gripe + a question. The routing rule:
the post's *intent* is what the whole post mostly does (how people file a post:
praise with a small gripe is praise), its *parts* carry everything else for the
card and the reply; the *action* follows the most serious part (a crisis in one
sentence escalates, a customer part keeps abuse from being hidden and a post from
being ignored). Crises are named by kind (crisis.py); self-harm goes to a person
with care guidance, never to a reply.

Every decision lists its reasons: the rule, the classifier's scores and the
nearest labelled examples.
"""

from assistant.triage.triager import Triager

__all__ = ["Triager"]
