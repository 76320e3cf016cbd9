"""The classifier's data: keyword and phrase tables per language. Data only, no logic.

Everything here is written in the classifier's normalised form: lower case, accents removed,
apostrophes dropped ("don't" → "dont", "m'envoyer" → "menvoyer"), any other punctuation a single
space. Editing a table changes `CLASSIFIER_VERSION` (it hashes this data), so every ledger entry
says which tables read its message.

Keywords answer a whole reply ("STOP", "stop please", "Stop!!! 🛑", "STOP STOP"). A *strong*
opt-out keyword also counts as a sentence of its own inside a longer message ("Who is this? STOP")
and may take a strong suffix ("stop it", "stop all texts"); a weak one ("cancel", "end") counts only
as the whole reply, because "cancel" after an appointment reminder usually means the appointment.
Phrases are regular expressions searched in each clause; they carry the plain-language
revocations ("quit sending these", "I'd like off this list").
"""

from __future__ import annotations

from dataclasses import dataclass

RELEASE = "2026.1"


@dataclass(frozen=True)
class LanguageTable:
    language: str
    """ISO 639-1."""
    strong_opt_out: tuple[str, ...]
    weak_opt_out: tuple[str, ...]
    opt_in: tuple[str, ...]
    help: tuple[str, ...]
    courtesy: tuple[str, ...]
    """Words that may surround any keyword without changing what it asks."""
    strong_suffixes: tuple[str, ...]
    """Words that may follow a strong opt-out keyword ("stop it", "stop all texts")."""
    revocation_phrases: tuple[str, ...]
    """Regexes (over one normalised clause) that ask to stop, to be removed, to be left alone."""


# Building blocks of the English phrases, kept as data so the patterns stay readable.
_MSG = (
    r"(?:texts?|txts?|texting|messages?|msgs?|messaging|sms|spam|ads|advertisements?|promos?"
    r"|promotions?|marketing|notifications?|alerts?|reminders?|robotexts?)"
)
_ME = r"(?:me|us|my number|this number|my phone|this phone|my cell|my info|my information)"
_DOING = (
    r"(?:texting|txting|messaging|msging|contacting|smsing|spamming|bothering|bugging|harassing"
    r"|calling|emailing|pinging|hitting me up)"
)
_CURSE = (
    r"(?:(?:fucking|fuckin|freaking|freakin|effing|frigging|fking|fkn|f cking|f king|damn"
    r"|bloody|goddamn) )?"
)
_LIST = r"(?:\w+ )?(?:list|lists|database|system|contacts)"
_WHOSE = r"(?:your|the|this|that|ur|these|all|all of your|all your|any)"

ENGLISH = LanguageTable(
    language="en",
    strong_opt_out=(
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "unsub",
        "optout",
        "opt out",
        "revoke",
        "quit",
        "stpo",
        "sotp",
        "unsubcribe",
        "unsuscribe",
        "unsubscibe",
    ),
    weak_opt_out=("cancel", "end"),
    opt_in=("start", "unstop", "yes", "subscribe", "resubscribe", "opt in", "optin"),
    help=("help", "info"),
    courtesy=(
        "please",
        "pls",
        "plz",
        "plse",
        "thanks",
        "thank you",
        "thankyou",
        "thx",
        "ty",
        "ok",
        "okay",
        "k",
        "now",
        "asap",
        "sorry",
        "sir",
        "maam",
        "hi",
        "hello",
        "hey",
        "yo",
        "just",
    ),
    strong_suffixes=(
        "it",
        "all",
        "this",
        "that",
        "these",
        "those",
        "them",
        "everything",
        "me",
        "texting",
        "text",
        "texts",
        "message",
        "messages",
        "msgs",
        "sms",
        "immediately",
        "right now",
    ),
    revocation_phrases=(
        # stop/quit texting me, stop f***ing messaging, quit bothering us
        rf"\b(?:stop|quit|cease|halt|discontinue|end) {_CURSE}{_DOING}\b",
        # stop sending (me) (these) texts; quit sending these; stop receiving messages
        rf"\b(?:stop|quit|cease) {_CURSE}(?:sending|receiving|getting) (?:me |us )?"
        rf"(?:(?:these|those|this|them|any|all|your|the|ur)(?: more)?(?: {_MSG})?$"
        rf"|(?:(?:these|those|this|any|all|your|the|ur) )?(?:more )?{_MSG})",
        r"\b(?:stop|quit) sending$",
        # stop it / stop all texts / stop everything at the end of a question or request
        r"\b(?:i want you to|i need you to|i asked you to|can you|could you|would you|will you"
        r"|can u|could u|would u|will u|u need to|you need to) (?:please )?"
        r"(?:stop|quit)(?: it| now| all| this| everything| them| these)?$",
        rf"\bstop (?:all|these|those|the|your|ur|any) (?:\w+ )?{_MSG}\b",
        # don't text me (again / anymore); do not contact this number
        rf"\b(?:dont|do not|never|please dont|pls dont) {_CURSE}(?:text|txt|message|msg|contact|sms"
        rf"|spam|call|bother|email) {_ME}(?: (?:again|anymore|any more|ever again|no more))?$",
        rf"\b(?:dont|do not|never) {_CURSE}(?:text|txt|message|msg|contact|sms|spam|call|bother"
        rf"|email) {_ME} (?:again|anymore|any more|ever again)\b",
        # no more texts (please); no texts please
        rf"\bno more {_MSG}\b",
        r"\bno (?:texts?|messages?|msgs?|txts?) (?:please|pls|plz|anymore|any more|thanks)\b",
        # remove me, take me off your list, delete my number, lose my number
        rf"\b(?:remove|delete|take|drop|erase|unsubscribe|unenroll|unlist|lose) {_ME}"
        rf"(?: (?:from|off)(?: of)?(?: {_WHOSE})? {_LIST}| off| now| please| asap|$)",
        rf"\b(?:me|us|my number) off (?:of )?{_WHOSE} {_LIST}\b",
        rf"\b(?:want|like|get|go|be|need|wanna) off (?:of )?{_WHOSE} {_LIST}\b",
        rf"\b(?:removed|taken off) (?:from |of )?{_WHOSE} {_LIST}\b",
        # unsubscribe anywhere ("how do I unsubscribe"), opt (me) out unless "of the warranty"
        r"\b(?:unsubscribe|unsubscribe me|unsub me)\b",
        r"\bopt (?:me |us |my number )?out\b(?! of (?!(?:these|those|this|your|the|all|ur|any)"
        r" (?:texts?|messages?|msgs?|sms|list|lists|alerts?|marketing|promos?|promotions)\b))",
        # leave me alone
        r"\bleave (?:me|us) (?:alone|be)\b",
        r"\b(?:fuck|piss|bugger) off\b",
        # done with these texts; I'm done receiving your messages
        rf"\bdone (?:with|receiving|getting) (?:{_WHOSE} |all of these |all these )?{_MSG}\b",
        # I don't want (any more of) these texts; I no longer wish to receive messages
        rf"\b(?:dont|do not|no longer|never) (?:want|wish|need|like) (?:to (?:receive|get) )?"
        rf"(?:any )?(?:more )?(?:of )?(?:{_WHOSE} )?(?:more )?{_MSG}\b",
        r"\b(?:want|wish|would like|need|like) to (?:unsubscribe|opt out|be removed|be taken off"
        r"|stop receiving|stop getting)\b",
        # I never signed up for this
        r"\bi (?:didnt|did not|never) (?:sign up|signed up|signup|subscribe|subscribed|opt in"
        r"|opted in|consent|consented|agree|agreed)\b",
        # wrong number
        r"\b(?:you have|you got|youve got|youve|u have|u got|this is|sorry|its|it is) (?:the |a )?"
        r"(?:wrong|incorrect) (?:number|person|phone)\b",
        r"^(?:wrong|incorrect) (?:number|person|phone)$",
    ),
)

SPANISH = LanguageTable(
    language="es",
    strong_opt_out=("parar", "detener", "desuscribir"),
    weak_opt_out=("para", "alto", "cancelar", "baja", "anular", "fin"),
    opt_in=("comenzar", "iniciar", "alta", "suscribir"),
    help=("ayuda",),
    courtesy=("por favor", "porfavor", "porfa", "gracias", "ya", "hola", "senor", "senora"),
    strong_suffixes=("todo", "todos", "mensajes", "sms", "ahora"),
    revocation_phrases=(
        r"\b(?:no|ya no) (?:me |nos )?(?:envien|envies|envie|manden|mandes|mande|escriban|escribas"
        r"|contacten|contactes|molesten|molestes) (?:mas|mensajes|textos|sms)\b",
        r"\b(?:no|ya no) (?:me |nos )?(?:envien|envies|manden|mandes|escriban|escribas|molesten"
        r"|molestes)$",
        r"\bdej(?:a|en|e|ar) de (?:enviarme|mandarme|escribirme|contactarme|molestarme|llamarme"
        r"|enviar mensajes|mandar mensajes|enviarnos|mandarnos)\b",
        r"\b(?:darme|dame|denme|darse|me doy|dar) de baja\b",
        r"\bquiero (?:la )?baja\b",
        r"\b(?:borrenme|borrarme|eliminenme|eliminarme|quitenme|quitarme|sacame|saquenme|sacarme"
        r"|borrame|quitame)\b",
        r"\bno (?:quiero|deseo) (?:recibir )?(?:mas )?(?:mensajes|textos|sms)\b",
        r"\b(?:cancelar|anular) (?:la |mi )?suscripcion\b",
        r"\bnumero equivocado\b",
    ),
)

FRENCH = LanguageTable(
    language="fr",
    strong_opt_out=("arret", "arrete", "arreter", "arrett", "desabonner", "desinscrire"),
    weak_opt_out=("annuler", "fin"),
    opt_in=("demarrer", "commencer"),
    help=("aide",),
    courtesy=("svp", "sil vous plait", "sil te plait", "stp", "merci", "bonjour", "salut"),
    strong_suffixes=("tout", "messages", "sms", "maintenant"),
    revocation_phrases=(
        r"\b(?:arretez|arrete|arretes|arreter|cessez|cesse|stoppez) (?:de |d )?(?:m|me |nous )?"
        r"(?:envoyer|ecrire|contacter|texter|appeler|harceler|deranger)\b",
        r"\b(?:me |se )?(?:desabonner|desabonnez|desabonnement|desinscrire|desinscrivez"
        r"|desinscription)\b",
        r"\b(?:ne (?:\w+ )?plus|plus de|jamais plus) (?:recevoir )?(?:de |d |vos |ces |les )?"
        r"(?:messages|sms|textos|texto)\b",
        r"\b(?:retirez|supprimez|enlevez|effacez) moi\b",
        r"\blaissez moi tranquille\b",
        r"\bmauvais numero\b",
    ),
)

TABLES: tuple[LanguageTable, ...] = (ENGLISH, SPANISH, FRENCH)

# Words that, right before a revocation phrase, turn it around ("don't stop texting me").
NEGATIONS: tuple[str, ...] = ("dont", "do not", "never", "wont", "not", "didnt", "cant")

# Look-alike letters from other scripts, folded only in tokens that also hold Latin letters
# ("STOP" spelled with a Cyrillic TE and O); a word wholly in another script is left alone.
# Written as escapes so the table shows which code point each key is.
CONFUSABLES: dict[str, str] = {
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0435": "e",  # cyrillic small letter ie
    "\u043a": "k",  # cyrillic small letter ka
    "\u043c": "m",  # cyrillic small letter em
    "\u043d": "h",  # cyrillic small letter en
    "\u043e": "o",  # cyrillic small letter o
    "\u0440": "p",  # cyrillic small letter er
    "\u0441": "c",  # cyrillic small letter es
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u0445": "x",  # cyrillic small letter ha
    "\u0455": "s",  # cyrillic small letter dze
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u0458": "j",  # cyrillic small letter je
    "\u0501": "d",  # cyrillic small letter komi de
    "\u051b": "q",  # cyrillic small letter qa
    "\u051d": "w",  # cyrillic small letter we
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b9": "i",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
    "0": "o",
}
