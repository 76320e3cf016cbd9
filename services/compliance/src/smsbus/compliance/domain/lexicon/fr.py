"""French: ARRET/ARRÊT (the Proxy list), désabonner, désinscrire, "ne plus recevoir"; OUI and
ABONNER as opt-ins; AIDE.

Normalised form: accents removed, apostrophes dropped ("m'envoyer" → "menvoyer").
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.table import LanguageTable

_MSG = r"(?:messages?|sms|textos?|envois|notifications|pubs?|publicites?|promotions?)"


# fmt: off
FRENCH = LanguageTable(
    language="fr",
    strong_opt_out=("arret", "arrete", "arreter", "arrett", "arretez", "desabonner", "desinscrire",
                    "desabonnement", "desinscription"),
    weak_opt_out=("annuler", "fin", "supprimer", "pas interesse", "pas interessee",
                  "ca ne minteresse pas", "ca minteresse pas"),
    opt_in=("demarrer", "commencer", "oui", "abonner", "reabonner", "sabonner", "mabonner"),
    help=("aide",),
    courtesy=("svp", "sil vous plait", "sil te plait", "stp", "merci", "bonjour", "salut",
              "tout de suite"),
    strong_suffixes=("tout", "messages", "sms", "maintenant", "les messages"),
    revocation_phrases=(
        r"\b(?:arretez|arrete|arretes|arreter|cessez|cesse|stoppez) (?:de |d )?(?:m|me |nous )?"
        r"(?:envoyer|ecrire|contacter|texter|appeler|harceler|deranger)\b",
        r"\b(?:me |se )?(?:desabonner|desabonnez|desabonnement|desinscrire|desinscrivez"
        r"|desinscription)\b",
        rf"\b(?:ne (?:\w+ )?plus|plus de|jamais plus) (?:recevoir )?(?:de |d |vos |ces |les )?"
        rf"{_MSG}\b",
        rf"\b(?:veux|voulons|souhaite) plus (?:recevoir|de|d|vos|ces|les)(?: {_MSG})?\b",
        r"\bne (?:\w+ )?plus (?:recevoir|etre contacte|etre contactee|me contacter|mecrire"
        r"|menvoyer|rien recevoir)\b",
        rf"\b(?:arretez|arrete|stoppez|cessez|supprimez) (?:les |vos |ces |tous les"
        rf" |toutes les )?{_MSG}\b",
        rf"\bstop (?:les|vos|ces|tous les|toutes les) {_MSG}\b",
        r"\b(?:retirez|supprimez|enlevez|effacez) (?:moi|mon numero|mes coordonnees)\b",
        r"\b(?:je )?(?:retire|revoque|annule) (?:mon |votre )?(?:consentement|autorisation)\b",
        r"\b(?:annuler|annulez|je veux annuler) (?:mon |l |mon )?(?:abonnement|inscription)\b",
        r"\blaissez moi tranquille\b",
        # ne m'écrivez plus, ne nous contactez plus
        r"\bne (?:m|me |nous )(?:ecrivez|envoyez|contactez|textez|appelez|derangez|ecris|envoie"
        r"|contacte) plus\b",
        r"\bmauvais numero\b",
        r"\btrompee?s? de (?:numero|personne)\b",
    ),
    help_phrases=(
        r"\bcomment (?:me |se |puis je me |je peux me |est ce que je peux me |faire pour me )?"
        r"(?:desabonner|desinscrire)\b",
        rf"\bcomment (?:arreter|faire arreter|ne plus recevoir) (?:ces |les |vos )?{_MSG}\b",
    ),
    opt_in_phrases=(
        r"\bje (?:veux|voudrais|souhaite) (?:me )?(?:reabonner|reinscrire|abonner|re abonner)\b",
        rf"\b(?:je veux|je voudrais|je souhaite) (?:de nouveau |a nouveau )?recevoir (?:les |vos"
        rf" |des )?{_MSG}\b",
        r"\b(?:reabonnez|reinscrivez|abonnez) moi\b",
    ),
    guards=(
        r"\b(?:il|elle|ils|elles|on) (?:m a|ma|nous a|a|mont|m ont|ont) dit(?: de| d)?$",
        r"\bcomment(?: \w+)?$",
        r"\bsi (?:je|vous|tu|on)(?: \w+)?$",
    ),
)
# fmt: on
