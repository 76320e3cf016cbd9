"""French: ARRET/ARRÊT (the Proxy list), désabonner, désinscrire, "ne plus recevoir"; OUI and
ABONNER as opt-ins; AIDE.

Normalised form: accents removed, apostrophes dropped ("m'envoyer" → "menvoyer").
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.table import LanguageTable

_MSG = (
    r"(?:messages?|msgs?|sms|textos?|envois|notifications|alertes?|rappels?|pubs?|publicites?"
    r"|promotions?|promos?)"
)
# A threat aimed at us: reporting this number, a complaint, a lawyer, the police.
_THREAT = (
    r"(?:signal\w* (?:ce numero|votre numero|vous|ces messages|comme spam)|vous (?:signale"
    r"|signalerai"
    r"|denonce)|port\w* plainte|plainte|avocat|police)"
)


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
              "tout de suite", "encore", "a nouveau", "de nouveau"),
    strong_suffixes=("tout", "messages", "sms", "maintenant", "les messages", "pub", "pubs",
                     "publicite", "sms pub"),
    revocation_phrases=(
        r"\b(?:arretez|arrete|arretes|arreter|darreter|cessez|cesse|stoppez) (?:de |d )?(?:m|me"
        r" |nous |lui"
        r" |leur )?"
        r"(?:envoyer|ecrire|contacter|texter|appeler|harceler|deranger|spammer|spamer)\b",
        # (d')arrêter les messages, désactivez les alertes, cessez tout envoi
        rf"\b(?:darreter|arreter|de cesser|cesser|stopper|desactivez|desactiver|desactive)"
        rf" (?:les |vos |ces |tous les |toutes les |mes )?{_MSG}\b",
        r"\b(?:cessez|cesser|arretez|arreter|stoppez|stopper) (?:tout |tous |les |vos "
        r"|l )?envois?\b",
        rf"\bca suffit(?: avec)? (?:les |vos |ces )?{_MSG}\b",
        r"^(?:cest|c est|c) (?:du |de la )?(?:harcelement|spam)\b",
        # je vais signaler ce numéro si vous continuez; arrêtez ou je porte plainte
        rf"\b{_THREAT}\b.* si (?:vous|tu) (?:continuez|continue|recommencez|mecrivez|menvoyez)\b",
        rf"\bsi (?:vous|tu) (?:continuez|continue|recommencez|mecrivez|menvoyez)\b.*\b{_THREAT}",
        rf"\bsi je recois (?:encore|un autre|dautres|d autres)\b.*\b{_THREAT}",
        rf"^(?:arretez|arrete|cessez|stop)(?: \w+){{0,3}} ou (?:je|j|jappelle)\b.*\b{_THREAT}",
        r"\bje me (?:desabonne|desinscris)\b",
        r"\b(?:merci de|veuillez|pouvez vous|pourriez vous) (?:me |m |nous )?(?:retirer|desinscrire"
        r"|desabonner|enlever)\b",
        rf"\bplus besoin (?:de |des |d |du )?{_MSG}\b",
        r"\b(?:me |se )?(?:desabonner|desabonnez|desabonnement|desinscrire|desinscrivez"
        r"|desinscription)\b",
        rf"\b(?:ne (?:\w+ )?plus|plus de|jamais plus|plus jamais) (?:recevoir )?(?:de |d |vos |ces"
        rf" |les )?{_MSG}\b",
        rf"\b(?:veux|veut|veulent|voulons|voulez|souhaite|souhaitons) plus (?:recevoir|de|d|vos|ces"
        rf"|les)(?: {_MSG})?\b",
        r"\bne (?:\w+ )?plus (?:recevoir|etre contacte|etre contactee|me contacter|mecrire"
        r"|menvoyer|rien recevoir|lui ecrire|leur ecrire|lui envoyer|leur envoyer|le contacter"
        r"|la contacter)\b",
        rf"\b(?:arretez|arrete|stoppez|cessez|supprimez) (?:les |vos |ces |tous les"
        rf" |toutes les )?{_MSG}\b",
        rf"\bstop (?:les|vos|ces|tous les|toutes les) {_MSG}\b",
        r"\b(?:retirez|supprimez|enlevez|effacez|oubliez|retirer|supprimer|enlever|effacer) (?:moi"
        r"|mon numero|ce numero|mes coordonnees)\b(?! de (?:la |votre )?liste dattente)",
        r"\b(?:retirez|supprimez|enlevez|retirer|supprimer|enlever) (?:le|la|les"
        r"|nous) de (?:votre |vos"
        r" |la |cette )?(?:liste|listes|envois|contacts|fichier)\b(?! dattente)",
        r"\b(?:je )?(?:retire|revoque|annule) (?:mon |votre )?(?:consentement|autorisation)\b",
        r"\b(?:annuler|annulez|je veux annuler) (?:mon |l |mon )?(?:abonnement|inscription)\b",
        r"\blaissez moi tranquille\b",
        # ne m'écrivez plus, ne nous contactez plus
        r"\bne (?:m|me |nous )(?:ecrivez|envoyez|contactez|textez|appelez|derangez|ecris|envoie"
        r"|contacte) plus\b",
        r"\bmauvais numero\b(?! (?:de|sur|dans) )",
        r"\btrompee?s? de (?:numero|personne)\b",
    ),
    help_phrases=(
        rf"\b(?:ca coute|coute|coutent)(?: combien)?\b.* {_MSG}\b",
        r"\bcombien (?:ca coute|coute|coutent)\b",
        # help or information about the texts themselves, what they are, how often, whom to ask
        rf"\b(?:aide|daide|infos?|dinfos?|information|dinformation|renseignements?)"
        rf" (?:pour|avec|sur|concernant|au sujet de) (?:les |ces |vos |ce |votre )?(?:\w+ )?"
        rf"(?:{_MSG}|service|programme)\b",
        rf"\b(?:je )?(?:ne )?comprends pas (?:ces|vos|les) {_MSG}\b",
        rf"\b(?:cest quoi|c quoi|quest ce que cest que|quest ce que) (?:ces|vos|les) {_MSG}\b",
        rf"\bcombien de {_MSG} (?:vous |allez |par |envoyez)",
        r"\bcomment (?:marche|fonctionne) (?:votre|ce|le|vos) (?:service|programme)\b",
        rf"\bqui (?:menvoie|m envoie|envoie|nous envoie) (?:ces|les|vos) {_MSG}\b",
        r"\bnumero (?:de )?(?:support|service client|lassistance|assistance)\b",
        rf"\ba qui (?:je )?(?:madresse|m adresse|dois je madresser|puis je madresser|sadresser)"
        rf"(?: \w+)? (?:pour|concernant|au sujet de) (?:ces|les|vos) {_MSG}\b",
        rf"\b(?:cest quoi|c quoi|quest ce que cest que|quest ce que) (?:ce|votre) (?:service"
        rf"|programme)"
        rf"(?: de {_MSG})?\b",
        r"\btous les combien\b",
        r"\b(?:ca veut dire quoi|que veut dire|quest ce que ca veut dire|ca veut dire)\b.*"
        r"\b(?:repondez|repondre|envoyez|tapez)\b",
        rf"\bcomment (?:on fait|faire|je fais|puis je|peut on|je peux|faut il|est ce que je peux)"
        rf"(?: pour)?(?: me)? (?:arreter|stopper|ne plus recevoir|desabonner|desinscrire)"
        rf"(?: (?:ces|les|vos) {_MSG})?",
        r"\bcomment (?:je|on) (?:me |se |s )?(?:desabonne|desinscris|desinscrit)\b",
        r"\bcomment (?:me |se |puis je me |je peux me |est ce que je peux me |faire pour me )?"
        r"(?:desabonner|desinscrire)\b",
        rf"\bcomment (?:arreter|faire arreter|ne plus recevoir) (?:ces |les |vos )?{_MSG}\b",
    ),
    opt_in_phrases=(
        r"\bje (?:veux|voudrais|souhaite) (?:me )?(?:reabonner|reinscrire|abonner|re abonner"
        r"|mabonner|mereabonner|mereinscrire)\b",
        rf"\b(?:je veux|je voudrais|je souhaite)(?: bien)? (?:de nouveau |a nouveau )?recevoir"
        rf" (?:a nouveau |de nouveau )?(?:les |vos |des )?{_MSG}\b",
        r"\b(?:reabonnez|reinscrivez|abonnez|rajoutez|remettez|ajoutez|inscrivez) moi\b",
        r"\b(?:vous pouvez|pouvez vous|pourriez vous) (?:me )?(?:reinscrire|reabonner|rajouter"
        r"|remettre|reactiver)\b",
        rf"\b(?:reactivez|reactiver|reactive) (?:les |mes |vos )?{_MSG}\b",
        r"\b(?:renvoyez|renvoyer) moi (?:a nouveau |de nouveau )?(?:les |vos )?(?:messages|sms"
        r"|textos|alertes|rappels|notifications|pubs|promos|promotions)\b",
        r"\brecommence(?:r|z)? (?:a |de )?(?:menvoyer|mecrire|m envoyer|m ecrire)\b",
    ),
    clause_opt_in=("demarrer", "reabonner"),
    markers=("je", "jen", "de", "la", "le", "les", "vous", "pas", "est", "cest", "et", "ce", "ces",
             "vos", "des", "mon", "ma", "merci", "svp", "stp", "plus", "marre", "avec", "pour",
             "numero", "pub", "pubs", "du", "sil", "plait", "votre", "moi", "arretez"),
    keeps_texts=(
        r"\b(?:je veux|je voudrais|je souhaite) (?:continuer a|encore) recevoir\b",
        r"^(?:cetait|c etait) pour (?:ma|mon|mes|quelqu)\w*(?: \w+)?$",
        r"\b(?:les )?(?:sms|textos|messages) (?:ca va|cest bon|sont ok|ok)\b",
        r"\b(?:textez|ecrivez) moi plutot\b",
    ),
    footer=(
        r"\b(?:repondez|repondre|envoyez|tapez|ecrivez) (?:stop|arret|fin) (?:pour|et)\b",
    ),
    guards=(
        r"\b(?:il|elle|ils|elles|on) (?:m a|ma|nous a|a|mont|m ont|ont) dit(?: de| d)?$",
        r"\bcomment(?: \w+)?$",
        r"\bcomment (?:on fait|faire|je fais|puis je|peut on|je peux|faut il|est ce que je peux)"
        r"(?: pour)?(?: me)?$",
        r"\bsi(?: (?:je|vous|tu|on)(?: \w+)?)?$",
    ),
)
# fmt: on
