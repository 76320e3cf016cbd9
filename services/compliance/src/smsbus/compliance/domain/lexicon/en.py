"""English: carrier/FCC keywords, plain-language requests, how-questions, restated opt-ins.

Written in the classifier's normalised form (lower case, no accents, apostrophes dropped,
punctuation a space). Phrases are searched in one clause at a time.
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.table import LanguageTable

# Building blocks, kept as data so the patterns stay readable.
_TEXTS = r"(?:texts?|txts?|messages?|msgs?|sms|notifications?|alerts?|reminders?)"
"""The texts themselves (what a question about the program names)."""
_MSG = (
    rf"(?:{_TEXTS}|texting|messaging|spam|ads|advertisements?|promos?|promotions?|marketing"
    r"|robotexts?|deals|coupons|offers|specials)"
)
"""The texts and what they carry (what a request to stop names)."""
_COMMS = r"(?:communications?|correspondence|solicitations?|contact|outreach)"
_ANY_MSG = rf"(?:{_MSG}|{_COMMS})"
# What "cancel"/"end" must name to be about us: the texts, the subscription, the sender.
_OURS = (
    r"(?:subscriptions?|texts?|txts?|messages?|msgs?|sms|texting|messaging|text alerts|text list"
    r"|mailing list|list)"
)
_ME = (
    r"(?:me|us|my number|this number|my phone|this phone|my cell|my info|my information"
    r"|my name|my contact|my details)"
)
_DOING = (
    r"(?:texting|txting|messaging|msging|contacting|smsing|spamming|bothering|bugging|harassing"
    r"|calling|pinging|hitting me up)"
)
_CURSE = (
    r"(?:(?:fucking|fuckin|freaking|freakin|effing|frigging|fking|fkn|f cking|f king|damn"
    r"|bloody|goddamn) )?"
)
# A list of ours: not a waitlist, a showing list or a guest list ("take me off the waitlist").
_LIST = (
    r"(?:(?!(?:waiting|wait|showing|guest|donor|pickup|carpool|bus|class|invite|grocery|shopping"
    r"|wish|wedding|todo|reading|volunteer|sign up|signup) )\w+ )?(?:list|lists|database|system"
    r"|contacts)"
)
# What a question about "the program" names: our texts, or the texting service itself.
_PROGRAM = (
    rf"(?:{_TEXTS}|(?:text|txt|texting|sms|message|msg|messaging|alert|reminder) (?:service"
    r"|program|list|club))"
)
_WHOSE = r"(?:your|the|this|that|ur|these|all|all of your|all your|any)"
_POLITE_TAIL = r"(?: (?:please|pls|plz|now|asap|immediately|thanks|thank you|thx|already))*$"
_CONSENT = r"(?:consent|permission|authorization|authorisation)"
# A threat names what it answers: another text; and what comes of it: a report, a lawyer.
_THREATENED = (
    r"(?:(?:text|txt|message|msg|contact|sms|spam|call|bother)(?:s|ing)? (?:me|us|this number|my"
    r" number|this phone) (?:again|one more time|once more|ever again|anymore|any more)"
    r"|i (?:get|receive|see) (?:one more|another|any more|1 more|a single) (?:text|txt|message"
    r"|msg|sms|of these|of your))"
)
_THREAT = (
    r"(?:(?:report|reporting|block|blocking) (?:you|u|this|it|your|ur|the number|this number)"
    r"|sue|suing|lawyer|attorney|fcc|ftc|police|complaint|court|legal action)\b"
)
# Not followed by somebody else's thing: "unsubscribe from Netflix", "opt out of the extended
# warranty", "unsubscribe me from the emails": after from/of/to, only our texts, our list, us.
_NOT_ELSEWHERE = (
    r"(?! (?:from|of|to) (?!(?:(?:this|these|those|your|ur|the|all|any|my|all of|all your"
    rf"|all the) )*(?:\w+ )?(?:{_MSG}|list|lists|program|service|number|you|u|us|it|them|this"
    r"|these|that|those|everything|all)\b))"
)


# fmt: off
ENGLISH = LanguageTable(
    language="en",
    strong_opt_out=("stop", "stopall", "stop all", "unsubscribe", "unsub", "optout", "opt out",
                    "revoke", "quit"),
    weak_opt_out=("cancel", "end", "remove", "delete", "cancel all", "end all", "block", "blocked",
                  "block all", "no more", "cease", "halt", "go away", "spam", "enough",
                  "not interested", "discontinue", "blocked and reported"),
    opt_in=("start", "unstop", "yes", "subscribe", "resubscribe", "opt in", "optin", "resume"),
    help=("help", "help me", "info", "information", "support"),
    courtesy=(
        "please", "pls", "plz", "plse", "thanks", "thank you", "thankyou", "thx", "ty", "ok",
        "okay", "k", "now", "asap", "sorry", "sir", "maam", "hi", "hello", "hey", "yo", "just",
        "again", "already", "seriously", "kindly", "dude", "bro", "man", "guys", "ffs", "for real",
        "i said", "i said to", "and",
    ),
    strong_suffixes=(
        "it", "all", "this", "that", "these", "those", "them", "everything", "me", "us", "texting",
        "text", "texts", "txt", "txts", "message", "messages", "msg", "msgs", "sms", "spam",
        "immediately", "right now", "these texts", "the texts", "forever", "permanently",
        "i mean it", "for good", "once and for all", "no more", "with the texts",
        "with these texts", "with the messages", "with these messages", "with all the texts",
        "with it",
    ),
    revocation_phrases=(
        # stop/quit texting me, stop f***ing messaging, quit bothering us
        rf"\b(?:stop|quit|cease|halt|discontinue|end) {_CURSE}{_DOING}\b",
        # stop sending (me) (these) texts; quit sending these; stop receiving messages
        rf"\b(?:stop|quit|cease) {_CURSE}(?:sending|receiving|getting) (?:me |us )?"
        rf"(?:(?:these|those|this|them|any|all|your|the|ur)(?: more)?(?: {_MSG})?$"
        rf"|(?:(?:these|those|this|any|all|your|the|ur) )?(?:more )?(?:\w+ )?(?:{_MSG}|stuff|junk"
        rf"|crap))",
        r"\b(?:stop|quit) sending$",
        r"\b(?:stop|quit|cease) (?:sending|texting|messaging) (?:(?:\w+ )?(?:to|at) (?:this|my"
        r"|that) (?:number|phone|cell)|(?:to|at) (?:it|here)$|here$)",
        # could you not text me anymore; don't keep messaging me; don't reach out again
        r"\b(?:could|can|would|will) (?:you|u) (?:please )?not (?:text|txt|message|msg|contact"
        r"|send)(?: me| us| this number)? (?:anymore|any more|again|ever again)\b",
        rf"\b(?:dont|do not|please dont) keep {_DOING}(?: me| us)?{_POLITE_TAIL}",
        r"\b(?:dont|do not|never|please dont) (?:reach out|get in touch|write)(?: to)?(?: me| us)?"
        r" (?:again|anymore|any more)\b",
        # don't send me any more offers; don't send promotional messages here
        rf"\b(?:dont|do not|please dont|never) send (?:me |us )?(?:any |any more |more )?(?:\w+ )?"
        rf"{_MSG}(?: (?:here|to this number|to this phone|anymore|any more))?$",
        r"\b(?:dont|do not|please dont|never) send (?:anything|anything else|any more|more)"
        r" (?:to )?(?:it|here|this number|this phone|me)\b",
        # stop it / stop all texts / stop everything at the end of a question or request
        r"\b(?:i want you to|i need you to|i asked you to|can you|could you|would you|will you"
        r"|can u|could u|would u|will u|u need to|you need to|i told you to|i said to) (?:please )?"
        r"(?:stop|quit)(?: it| now| all| this| everything| them| these)?$",
        r"\bi (?:said|told you|already said|already told you|asked you)(?: to)? (?:stop|quit"
        r"|unsubscribe)\b",
        r"\b(?:im|i am|were|we are) asking (?:you )?(?:again |once more )?(?:to )?(?:stop|quit"
        r"|unsubscribe)\b(?! (?:by|at|over|in|on)\b)",
        # I asked last week to not get these anymore
        r"\b(?:asked|told you|said|requested)(?: you)?(?: \w+){0,3} (?:to not|not to) (?:(?:get"
        r"|receive) (?:these|those|them|texts|messages|any)|be (?:texted|contacted|messaged)"
        r"|(?:text|send|contact|message) (?:me|us|this number|anymore|any more))\b",
        rf"\b(?:stop|halt|block|kill|pause) (?:all|these|those|the|your|ur|any) (?:\w+ )?{_MSG}\b",
        # cancel/end only when what is cancelled is ours: "cancel my subscription", "cancel
        # these texts", "end the messages" (not "cancel my order", "cancel my cable plan")
        rf"\b(?:cancel|end|terminate|discontinue) (?:all )?(?:(?:my|these|those|the|your|ur"
        rf"|this|all|all of|all the|all these|all your|any) )?(?:(?:text|sms|txt|message|texting"
        rf"|marketing) )?{_OURS}(?: (?:from|with|to) (?:you|us|this number|this company|your"
        rf" company|these texts|your texts))?{_POLITE_TAIL}",
        rf"\bcancel (?:me|us|my number|this number)(?: (?:from|off) {_WHOSE} {_LIST})?"
        rf"{_POLITE_TAIL}",
        # if you don't stop texting me ...: a threat is a request
        r"\bif (?:you|u) (?:dont|do not|wont) (?:stop|quit|leave me alone)\b",
        # if you text me again I'm reporting you; text me one more time and I'm calling my lawyer
        rf"\b(?:if (?:you|u|yall|anyone) (?:\w+ )?|if |^){_THREATENED}\b(?: \w+){{0,6}}"
        rf" {_THREAT}",
        # I'll report this number as spam if these messages don't stop
        r"\b(?:(?:ill|i will|im going to|i am going to|im gonna|we will|well) )?(?:report|block"
        r"|sue)(?:ing)? (?:this number|you|u|it|your number|this)\b.*\bif\b.*\b(?:dont|do not"
        r"|doesnt|does not|wont) stop\b",
        # keep texting me and I'll sue
        rf"\bkeep {_DOING} (?:me|us)\b(?: \w+){{0,3}} and\b(?: \w+){{0,4}} {_THREAT}",
        # I'd rather not get these text reminders anymore
        rf"\b(?:rather|prefer|prefer to|like to|want to) not (?:to )?(?:get|receive|be sent"
        rf"|be getting|be receiving)(?: (?:these|those|your|ur|the|any))?(?: \w+)? {_MSG}\b",
        # knock it off with the texts; cut it out
        rf"\b(?:knock it off|cut it out|give it a rest|enough already) with (?:{_WHOSE} )?(?:\w+ )?"
        rf"{_MSG}\b",
        rf"^(?:knock it off|cut it out){_POLITE_TAIL}",
        # don't text me (again / anymore); do not contact this number
        rf"\b(?:dont|do not|never|please dont|pls dont) (?:ever )?{_CURSE}(?:text|txt|message"
        rf"|msg|contact|sms|spam|call|bother) {_ME}(?: (?:by|via|over) (?:text|txt|sms|message"
        rf"|phone))?"
        rf"(?: (?:again|anymore|any more|ever again|no more))?$",
        rf"\b(?:dont|do not|never) (?:ever )?{_CURSE}(?:text|txt|message|msg|contact|sms|spam"
        rf"|call|bother|email) {_ME} (?:again|anymore|any more|ever again)\b",
        # no more texts (please); no further communications; no texts please
        rf"\bno (?:more|further) (?:\w+ )?{_ANY_MSG}\b",
        r"\b(?:im|i am|were|we are) (?:unsubscribing|opting out)\b",
        # "this is not my phone": the wrong number, said as a whole clause
        r"^(?:this is not|this isnt|its not|it is not|thats not|not) my (?:phone|number|cell"
        r"|cell phone|phone number)(?: (?:anymore|any more))?$",
        r"\bno (?:texts?|messages?|msgs?|txts?) (?:please|pls|plz|anymore|any more|thanks)\b",
        rf"\benough (?:with )?(?:the |these |your |all these )?{_MSG}\b",
        # I want these texts to stop; make the messages stop; these texts need to stop
        rf"\b(?:want|need|would like|wish|like)(?: for)? (?:{_WHOSE} )?{_MSG} to"
        r" (?:stop|end|cease)\b",
        rf"\bmake (?:{_WHOSE} )?{_MSG} (?:stop|end)\b",
        rf"\b(?:these|the|your|ur|all these|all the) {_MSG} (?:need|needs|have|has|must|got)"
        r" (?:to )?stop\b",
        # reporting this as spam; this is harassment
        r"^(?:reported|reporting|marked|flagged|blocked and reported)(?: (?:as|for))?"
        r" (?:spam|junk)\b",
        r"\b(?:reporting|reported|report|flagging|flagged|marking|marked|mark) (?:this|you|u|it"
        rf"|this number|your number|{_WHOSE} {_MSG}) (?:as|for) (?:spam|junk|harassment)\b",
        r"\b(?:this is|these are|thats|its) (?:(?:just|pure|total|fucking) )?(?:spam|harassment)$",
        # do not text; do not contact (the whole reply); halt texts; I want out; don't want these
        r"^(?:please |pls )?(?:dont|do not|never) (?:text|txt|message|msg|contact|sms|call|email"
        r"|spam)(?: (?:me|us|this number|again|anymore|any more|ever again|please|pls|thanks))*$",
        rf"^(?:please |pls )?(?:halt|cease|discontinue|end|block|pause|kill)(?: all)?"
        rf" {_MSG}(?: please| pls| now| thanks)?$",
        r"^(?:i |we )?(?:want|wanna|need|would like) out(?: of (?:this|these|your|the) (?:\w+ )?"
        r"(?:list|texts?|messages?))?(?: please| pls| now)?$",
        r"^(?:i |we )?(?:dont|do not) want (?:these|this|them|any|it|that|those|your texts"
        r"|these texts)(?: anymore| any more| please| thanks)?$",
        # no longer interested (please stop)
        r"\b(?:no longer|not) interested(?: (?:in (?:any more (?:of )?|receiving |getting )?(?:this"
        r"|these|your|ur|the) (?:\w+ )?(?:texts?"
        r"|messages?|offers?|deals?|promos?|list))| anymore| any more)\b",
        r"^no longer interested\b",
        # remove me, take me off your list, delete my number, lose my number
        rf"^(?:please |pls )?(?:remove|delete|take|drop) (?:off |from )(?:{_WHOSE} )?{_LIST}\b",
        rf"\b(?:remove|delete|take|drop|erase|unsubscribe|unenroll|unlist|lose|scratch|block"
        rf"|removing|deleting|taking|dropping|erasing) {_ME}"
        rf"(?: (?:from|off|out)(?: of)?(?: {_WHOSE})? (?:{_LIST}|(?:\w+ )?{_MSG})"
        rf"|(?: off)?{_POLITE_TAIL})",
        # put me on your do not text list; add my number to the DNC list
        rf"\b(?:add|put|place|adding|putting|placing) {_ME} (?:to|on|in|onto) (?:{_WHOSE} )?"
        r"(?:(?:do not|dont|no) (?:text|txt|contact|call|message|msg|sms|solicit)(?:ing)?|dnc)"
        r" (?:list|registry)\b",
        rf"\b(?:me|us|my number|my name) off (?:of )?{_WHOSE} {_LIST}\b",
        rf"\b(?:want|like|get|go|be|need|wanna) off (?:of )?{_WHOSE} {_LIST}\b",
        rf"\b(?:removed|taken off|deleted) (?:from |of )?{_WHOSE} {_LIST}\b",
        # unsubscribe (me) anywhere, unless from something else ("unsubscribe me from Netflix")
        rf"\b(?:unsubscribe|unsub)(?: me| us| my number| this number)?+\b{_NOT_ELSEWHERE}"
        r"(?! (?:link|button|page|option|process|feature)s?\b)",
        r"\bopt (?:me |us |my number )?out\b(?! of (?!(?:these|those|this|your|the|all|ur|any)"
        r" (?:texts?|messages?|msgs?|sms|list|lists|alerts?|marketing|promos?|promotions)\b))",
        # I'm blocking you; blocking this number now
        r"\b(?:im|i am|ill|i will|i m|gonna|going to|about to|now) (?:be )?block(?:ing)? (?:you|u"
        r"|this number|your number|ur number|these texts)\b",
        # leave me alone
        r"\bleave (?:me|us) (?:alone|be)\b",
        r"\b(?:fuck|f|eff|frick|frig|piss|bugger|sod) off\b",
        # done with these texts; I'm done receiving your messages
        rf"\bdone (?:with|receiving|getting) (?:{_WHOSE} |all of these |all these )?{_MSG}\b",
        # I don't want (any more of) these texts; I do not wish to receive further communications
        rf"\b(?:dont|do not|doesnt|does not|no longer|never) (?:want|wish|need|like|care)"
        rf" (?:to (?:receive|get|be sent) )?(?:any )?(?:more |further |additional )?(?:of )?"
        rf"(?:{_WHOSE} )?(?:more |further )?{_ANY_MSG}\b",
        r"\b(?:dont|do not|no longer) (?:want|wish) to (?:receive|get) (?:them|these|those|it)"
        r"(?: anymore| any more)?\b",
        r"\b(?:dont|do not|no longer) (?:want|wish) to be (?:contacted|texted|messaged|called"
        r"|bothered|on (?:your|the|this) list)\b",
        r"\b(?:want|wish|would like|need|like) to (?:unsubscribe|opt out|be removed|be taken off"
        r"|stop receiving|stop getting|stop these|stop your|cancel (?:my |the |these |your )?"
        rf"(?:subscription|texts|messages))\b{_NOT_ELSEWHERE}",
        # revocation in legal words: revoke/withdraw consent, cease and desist
        rf"\b(?:revoke|revoking|revoked|withdraw|withdrawing|withdrew|rescind|rescinding|retract"
        rf"|retracting|terminate|pull|cancel|remove) (?:of )?(?:my |all |any |any and all |your"
        rf" |the |all of my )?(?:(?:prior|previous|previously given|earlier|express|written"
        rf"|verbal|all) )*{_CONSENT}\b",
        rf"\b{_CONSENT} (?:is |has been |hereby )*(?:revoked|withdrawn|rescinded|terminated)\b",
        rf"\b(?:no longer|do not|dont|never|did not|didnt) (?:give |grant |provide |gave |granted"
        rf" |provided )?(?:my |you |anyone |you guys )?"
        rf"(?:{_CONSENT}|consented)\b",
        rf"\b(?:you )?(?:do not|dont|no longer) have my {_CONSENT}\b",
        r"\bcease and desist\b",
        rf"\bcease (?:all )?(?:further )?(?:{_COMMS}|texting|messaging|{_MSG})\b",
        # I never signed up for this
        r"\bi (?:didnt|did not|never) (?:sign up|signed up|signup|subscribe|subscribed|opt in"
        r"|opted in|agree|agreed)\b",
        # wrong number
        r"\b(?:you have|you got|youve got|youve|u have|u got|this is|sorry|its|it is) (?:the |a )?"
        r"(?:wrong|incorrect) (?:number|person|phone)\b",
        r"^(?:sorry )?(?:wrong|incorrect) (?:number|person|phone)(?: (?:sorry|please|pls|thanks"
        r"|thx|buddy|mate|dude|bro|lol))*$",
        r"^(?:sorry )?(?:wrong|incorrect) (?:number|person|phone) (?:lol|lmao|haha|sorry|bro|dude"
        r"|buddy|mate|man)\b",
    ),
    help_phrases=(
        # how do I stop these (texts)? how can I unsubscribe? — not "how do I stop Verizon texts"
        r"\bhow (?:do|can|could|would|should|does one|to)(?: (?:i|we|one|u))? (?:stop|unsubscribe"
        r"|opt out|cancel|end|get off|get out|be removed|get removed|get taken off|turn off"
        rf"|block)(?: (?:getting|receiving))?(?: (?:these|this|them|all of these|all these|your|ur"
        rf"|the)(?: {_MSG}| list)?| {_MSG}| (?:from|of|off) (?:this|these|those|them|your|ur|the)"
        rf"(?: (?:\w+ )?(?:list|{_MSG}|service|program))?)?{_POLITE_TAIL}",
        rf"\bhow (?:do|can) (?:i|we|u) (?:make|get) (?:these|this|them|(?:the|your) {_MSG})"
        r" (?:to )?stop\b",
        rf"\b(?:is there a way|what do i (?:text|reply|send|say)|what should i (?:text|reply|send))"
        rf" to (?:stop|unsubscribe|opt out)(?: (?:these|this|them|{_MSG}|these {_MSG}))?$",
        # help or info about the texts themselves: "help with these texts", "info on this service"
        rf"\b(?:help|info|information|support|details)(?: (?:with|on|about|abt|for|regarding|re))?"
        rf" (?:(?:this|these|the|your|ur|those) )?(?:\w+ )?{_PROGRAM}\b",
        # what the program is, costs, how often it texts, whom to ask
        rf"\bwhat (?:are|r) (?:these|those|all these|the|your|ur) (?:\w+ )?{_TEXTS}\b",
        rf"\bwhat (?:these|those|the|your|ur) (?:\w+ )?{_TEXTS} are (?:for|about)\b",
        rf"\bwhat (?:kind|kinds|sort|type) of {_TEXTS}\b",
        rf"\b(?:do|does|will|would) (?:these|this|the|your|ur) (?:\w+ )?{_TEXTS} cost\b",
        rf"\b{_TEXTS} (?:and data )?rates?\b",
        rf"\bget (?:fewer|less) {_TEXTS}\b",
        rf"\b(?:are|is) (?:these|the|your|ur) (?:\w+ )?{_TEXTS} free\b",
        r"\bcarrier charge\b",
        r"\bif i (?:reply|text|send|say|answer) (?:stop|end|quit|cancel|unsubscribe|help)\b",
        rf"\bwho (?:do|can|should) (?:i|we) (?:contact|call|ask|talk to|reach)(?: \w+){{0,5}}"
        rf" (?:about|regarding|re|on) (?:these|this|the|your|ur) (?:\w+ )?{_TEXTS}\b",
        rf"\bwhy (?:am i|are we|do i keep|do we keep) (?:getting|receiving) (?:these |this |your"
        rf" |ur )?(?:\w+ )?{_TEXTS}\b",
        r"\bwhat is (?:this|the|your|ur) (?:text|txt|sms|texting|messaging|message|alert)"
        r" (?:program|service|list|club|thing)\b",
        r"\b(?:message|msg|messaging|text|txt|sms)(?: and| n)? data rates?\b",
        r"\bhow (?:often|frequently|many times)(?: \w+)? (?:will|do|are|would|does|is) (?:you|u"
        r"|yall|this|it|they)(?: \w+)? (?:text|txt|message|msg|send|be texting|contact)",
        r"\bhow (?:often|frequently|many times) (?:will|do|would|am|are|should) (?:i|we) (?:get"
        r"|receive|be getting)\b",
        r"\b(?:msg|message|text|txt|sms|texting) frequency\b",
        r"\bwhat program (?:this|it) is\b|\bwho runs (?:it|this|these|the program|the texts)\b",
        r"\bwhat is this list\b|\bhow did (?:you|u|yall) get my number\b",
        rf"\bis there a (?:number|phone number|line|email|contact)\b.* {_TEXTS}\b",
        rf"\bhow many {_TEXTS} (?:will|do|a|per|each|are|should|would|am)\b",
        r"\b(?:support|customer service|customer support) (?:number|line|email|contact|phone)\b",
        r"\bwho (?:sends?|is sending|sent|is texting|keeps texting) (?:me )?(?:these|them|those)\b",
        rf"\bwho (?:do|can|should) (?:i|we) (?:contact|call|talk to|ask|reach) (?:about|regarding"
        rf"|re) (?:these|this|the|your|ur) (?:\w+ )?{_TEXTS}\b",
    ),
    opt_in_phrases=(
        rf"\bsign (?:me|us) (?:back )?up for (?:the |your |ur )?(?:\w+ )?{_MSG}\b",
        rf"\b(?:like|want|wish|love) to (?:start|begin) (?:getting|receiving) (?:my |the |your "
        rf"|ur )?"
        rf"(?:\w+ )?{_MSG}\b",
        r"\b(?:add|put|sign|subscribe|opt|resubscribe|enroll|reenroll|take) (?:me|us|my number)"
        r" (?:back|up again|back up|back in|in again|again|back on)\b",
        r"\bi (?:want|would like|wanna|d like|id like|wish|need) to (?:opt (?:back )?in"
        r"|resubscribe|re subscribe|subscribe again|rejoin|sign up again|be added back|start"
        r" (?:receiving|getting) (?:texts|messages|them|your texts) again)\b",
        r"\b(?:id|i would|i d) like to (?:opt (?:back )?in|resubscribe|subscribe again)\b",
        rf"\b(?:i (?:want|would like|wanna|wish|need)|id like|please|can i|could i) (?:to )?"
        rf"(?:(?:receive|get|start (?:receiving|getting)|have) )?(?:the |your |these |those |my )?"
        rf"(?:\w+ )?{_MSG} (?:again|back)\b",
        rf"\b(?:start|resume|restart) (?:sending|texting|getting|receiving) (?:me )?(?:(?:the |your"
        rf" |these |my )?(?:\w+ )?{_MSG} )?(?:by (?:text|txt|sms) )?again\b",
        r"\b(?:please|pls|can you|could you|would you) (?:send|text) me (?:the |your |those "
        r"|these )?"
        r"(?:\w+ )?(?:texts|messages|alerts|reminders|promos|notifications|deals|coupons) again\b",
        # you can text me again; turn my text notifications back on
        r"\b(?:you can|u can|you may|feel free to|go ahead and|its ok to|its okay to|ok|okay"
        r"|please|pls) (?:start )?(?:text|txt|message|msg)(?:ing)? (?:me|us) again"
        r"(?: (?:please|pls|thanks|thank you|now))*$",
        rf"\b(?:turn|switch|put) (?:on )?(?:my |the |your |these |ur )?(?:text |txt |sms )?{_MSG}"
        r" (?:back on|on again|back)\b",
        r"^(?:please |pls )?unstop(?: me| us| my number)?(?: (?:please|pls|thanks|thank you))*$",
        r"\b(?:resubscribe|re subscribe|resub)(?: me)?\b",
        r"\bopt (?:me |us )?back in\b",
        rf"^(?:please )?(?:resume|restart) (?:sending |texting )?(?:me )?(?:(?:the |my |your |ur )?"
        rf"(?:\w+ )?{_MSG})(?: please)?$",
        # a clause that only asks to start again: "I changed my mind, start again"
        r"^(?:please )?(?:start|unstop|resubscribe|subscribe)(?: me)? (?:again|back)(?: please)?$",
    ),
    keeps_texts=(
        r"\b(?:text|txt|message|msg) (?:me|us) instead\b",
        r"\bi (?:want|d like|would like|wish) to (?:keep|continue) (?:getting|receiving)\b",
        # the sender's own message went astray: "sorry, wrong number, that was meant for my sister"
        r"^(?:that|this|it|the text|my text|the message|my message) (?:was|were) (?:meant|supposed"
        r"|intended) (?:for|to go to) (?:my|someone|somebody|a friend|another)\b",
        r"\b(?:meant|wanted) to (?:send|text) (?:this|that|it) to\b",
        r"^(?:i )?(?:meant|wanted|was trying|tried) to (?:text|send|message|msg) (?:this to )?(?:my"
        r"|someone|somebody|another|a friend)\b",
        r"^(?:the |your |ur )?(?:texts?|txts?|sms|text messages?) (?:are|is|r) (?:fine|ok|okay|good"
        r"|great)\b",
    ),
    footer=(
        # the imperative quoted, not told: "I did reply stop to opt out!" is no footer
        r"(?<!did )(?<!i )(?<!already )(?<!we )\b(?:reply|text|send|txt|respond) (?:with )?(?:stop"
        r"|end|quit|cancel|unsubscribe|stopall) (?:to|for|and)\b",
    ),
    guards=(
        # reported speech: someone else said it ("my friend said stop", "she told me to"); not
        # a request relayed to us ("my mom asked you to stop texting her", "she wants you to")
        r"(?:^|\s)(?!(?:i|we)\s)\w+ (?:said|(?:told|tells|asked|wants|wanted|want)"
        r" (?!(?:you|u|yall)\b)\w+)(?: to)?$",
        # a question about how: answered by the HELP layer, not read as the request itself
        r"\bhow (?:do|can|could|would|should|does|did|to)(?: (?:i|we|one|you|u|they))?$",
        r"\b(?:is there a way|what do i (?:text|reply|send|say)|what should i (?:text|reply"
        r"|send)) to$",
        # the sender's own plan: "I'll stop texting you now", "we can stop sending the invoices"
        r"\b(?:(?:i|we) (?:will|shall|can|could|should|must|might|may|gonna|am going to)|ill"
        r"|lets|im gonna|im going to)$",
        # an act described, not asked for: "I clicked unsubscribe on your emails", "I accidentally
        # replied stop"
        r"\b(?:clicked|tapped)(?: on)?(?: the)?$",
        r"\b(?:accidentally|mistakenly) \w+$",
        # a condition or a hypothesis: "if you stop texting me I'll miss the deals"
        r"\b(?:if|when|once|unless|whether) (?:i|we|you|u)(?: \w+)?$",
    ),
    clause_opt_in=("start", "unstop", "resubscribe"),
    markers=("the", "you", "your", "me", "my", "i", "this", "these", "to", "is", "and", "of",
             "please", "it", "texts", "number", "thanks", "im", "dont", "with", "from"),
    closing_opt_out=("stop", "stopall"),
    closing_not_after=(
        # a noun: the bus stop, a quick stop, my usual stop, non-stop, Elm St stop
        "a", "an", "the", "this", "that", "these", "those", "each", "every", "next", "last",
        "first", "second", "third", "final", "one", "non", "full", "complete", "dead", "sudden",
        "bus", "train", "truck", "rest", "pit", "whistle", "photo", "quick", "short", "brief",
        "only", "another", "our", "my", "your", "ur", "his", "her", "their", "its", "any", "no",
        "street", "st", "ave", "avenue", "road", "rd", "station", "subway", "metro", "tram",
        "door", "shop", "usual", "regular", "same", "other", "emergency", "planned",
        # somebody doing it: I stop, we'll stop, when will it stop, make it stop
        "i", "im", "ill", "id", "we", "well", "wed", "you", "youll", "u", "they", "theyll", "he",
        "she", "it", "itll", "who", "which", "everyone", "everybody", "nobody", "someone",
        "somebody", "people",
        # a verb before it: to stop, can't stop, will stop, gonna stop, let's stop, must stop
        "to", "will", "would", "could", "should", "can", "cant", "cannot", "couldnt", "wont",
        "wouldnt", "shouldnt", "dont", "doesnt", "didnt", "never", "might", "may", "must",
        "shall", "gonna", "gotta", "wanna", "lets", "let", "make", "made", "makes", "did",
        "does", "not", "has", "have", "had", "was", "were", "is", "are", "be", "been", "try",
        "tried", "trying", "cause", "caused",
    ),
    closing_not_near=(
        "when", "until", "till", "til", "before", "after", "once", "if", "unless", "whether",
        "where", "while", "because", "cuz", "why", "how", "dont", "never", "not", "cant", "wont",
        "didnt", "doesnt", "couldnt", "wouldnt", "shouldnt",
        # an accident told: "I accidentally texted stop"
        "accidentally", "mistakenly",
    ),
)
# fmt: on
