"""Spanish: carrier keywords (PARAR, ALTO, DETENER, CANCELAR, BAJA; ALTA; AYUDA) and plain
language ("no más mensajes", "ya basta", "elimíname", "darme de baja", "sí" as an opt-in).

Normalised form: accents removed ("más" → "mas"), "¿¡" and other punctuation a space.
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.table import LanguageTable

_MSG = (
    r"(?:mensajes?|mensajitos|mensages|textos?|sms|msjs?|msgs?|txts?|notificaciones|alertas"
    r"|avisos|recordatorios|publicidad|promociones|ofertas|correos)"
)
# Asking us to text: the request not to ("no me escriban") is a revocation; a call is not a
# text ("no me llamen, mejor escríbanme"), so calls count only with more words after them.
_TEXT = (
    r"(?:envien|envies|envie|manden|mandes|mande|escriban|escribas|escriba|contacten|contactes"
    r"|contacte|molesten|molestes|moleste|textees?|texteen|enviar|mandar|escribir|contactar)"
)
_SEND = rf"(?:{_TEXT}|llamen)"
_TO_ME = (
    r"(?:enviarme|mandarme|escribirme|contactarme|molestarme|llamarme|enviar mensajes"
    r"|mandar mensajes|enviarnos|mandarnos|molestar|fastidiar|escribir|enviar|mandar|textear"
    r"|textearme|spamear|spamearme|escribirle|mandarle|enviarle|escribirles|mandarles|enviarlos"
    r"|enviarlas|mandarlos|mandarlas)"
)
# A threat aimed at us: reporting this number or you, suing you, a lawyer, the FCC.
_THREAT = (
    r"(?:(?:report|denunci)\w* (?:este numero|su numero|el numero|los|las|les|a ustedes|como"
    r" spam)|(?:los|les) (?:(?:voy|vamos) a )?(?:report|denunci|demand)\w*"
    r"|demand(?:o|ar|are)(?:los|les)?\b"
    r"|abogad[oa]|fcc|queja formal)"
)
_CONSENT = r"(?:consentimiento|autorizacion|permiso)"


# fmt: off
SPANISH = LanguageTable(
    language="es",
    strong_opt_out=("parar", "detener", "desuscribir", "desuscribirme", "basta"),
    weak_opt_out=(
        "para", "alto", "cancelar", "baja", "anular", "fin", "salir", "eliminar", "borrar",
        "detente", "paren", "no mas", "no me interesa", "no estoy interesado",
        "no estoy interesada", "no gracias no me interesa",
    ),
    opt_in=("comenzar", "iniciar", "alta", "suscribir", "suscribirme", "si", "reanudar"),
    help=("ayuda", "informacion"),
    courtesy=(
        "por favor", "porfavor", "porfa", "por fa", "favor", "gracias", "ya", "hola", "senor",
        "senora", "ahora", "ahora mismo", "de una vez", "oiga", "quiero", "x fa", "xfa", "xfavor",
        "x favor", "porfis", "plis", "otra vez", "de nuevo", "nuevamente",
    ),
    strong_suffixes=("todo", "todos", "mensajes", "sms", "textos", "los mensajes", "ya"),
    revocation_phrases=(
        rf"\b(?:no|ya no|nunca) (?:me |nos |le |les )?(?:vuelvan a |vuelvas a )?{_SEND}"
        rf" (?:mas(?! (?:de|que)\b)|{_MSG}|nunca|nada)\b",
        # (no quiero) que me sigan mandando textos; les pedí que ya no me escribieran
        r"\bno (?:quiero|deseo|necesito|queremos|necesitamos) que (?:me |nos |le |les )?sigan"
        r" (?:mandando|enviando|escribiendo|contactando|llamando|molestando)\b",
        r"\b(?:no|ya no|nunca) (?:me |nos |le |les )?(?:escribieran|mandaran|enviaran|contactaran"
        r"|molestaran)\b",
        # ¿me pueden sacar de su lista?; sáquenlo de la lista; quítenlo de su lista de mensajes
        r"\b(?:me |nos |lo |la )?(?:pueden|puede|podrian|podria) (?:sacar|quitar|borrar|eliminar"
        r"|dar"
        r" de baja)(?:me|nos|lo|la)? de (?:la|su|sus|esta|tu) (?:\w+ )?lista(?! de espera)\b",
        r"\b(?:saquenlo|saquenla|quitenlo|quitenla|borrenlo|borrenla|eliminenlo|eliminenla|bajenlo"
        r"|bajenla) de (?:la|su|sus|esta|tu) (?:\w+ )?lista(?! de espera)\b",
        rf"\b(?:no|ya no) (?:me |nos |le |les )?(?:vuelvan a |vuelvas a )?{_TEXT}(?: (?:a|en)"
        rf" (?:este|mi|su|ese) (?:numero|telefono|cel|celular))?$",
        rf"\b(?:no|ya no) (?:me |nos |le |les )?{_SEND} con (?:los |sus |tus |estos |tantos )?"
        rf"{_MSG}\b",
        r"\b(?:no|ya no|nunca) (?:me |nos |le |les )?vuelv(?:an|as|a) a (?:escribir|enviar|mandar"
        r"|contactar|molestar|llamar|textear|incluir|agregar|anotar|poner)(?:me|nos|le|les)?\b",
        rf"(?<!no )\bdej(?:a|en|e|ar|an) (?:de|d) {_TO_ME}\b",
        # paren los mensajes; desactiven las alertas; párenle ya con los textos
        rf"(?<!no )\b(?:paren|pare|parar|detengan|detenga|deten|detener|corten|suspendan|suspender"
        rf"|desactiven|desactive|desactivar|apaguen|cancelen) (?:ya )?(?:los |las |sus |estos"
        rf" |esos |tus |todos los |mis )?{_MSG}\b",
        rf"(?<!no )\b(?:parenle|parale|parele|paren|pare|ya estuvo|ya stop|stop|ya basta|suficiente"
        rf"|alto) (?:ya )?(?:con|a)"
        rf" (?:los |las |sus |tantos |estos |tus )?{_MSG}\b",
        # si me vuelven a escribir los reporto; voy a reportar este número si no dejan de…
        rf"\bsi (?:me |nos )?(?:vuelven a|siguen|vuelve a|sigue|vuelves a|sigues) \w+\b.*"
        rf"\b{_THREAT}",
        rf"\b{_THREAT}.* si (?:me |nos )?(?:vuelven|siguen|no dejan|no paran)\b",
        r"^(?:esto es|es|eso es) (?:puro |un |una )?(?:acoso|spam)$",
        r"\bno (?:autorizo|autorizamos|consiento|acepto) (?:que |q )?(?:me |nos )?(?:sigan |vuelvan"
        r" a )?(?:mand|envi|escrib|contact|textea)\w*",
        rf"\bno (?:autorizo|autorizamos|consiento|acepto) (?:mas |ningun |ningunos |sus |los )?"
        rf"{_MSG}\b",
        rf"\b(?:para|paren|pare|parar|detengan|deten|detenga|detener) de {_TO_ME}\b",
        r"\b(?:darme|dame|denme|darse|me doy|deme|me quiero dar) de baja\b",
        # bare "dar de baja" only as the request itself, not "dar de baja el equipo viejo"
        r"^(?:quiero |quisiera )?dar de baja(?: (?:mi numero|por favor|este numero))?$",
        r"\bquiero (?:la )?baja\b",
        r"\b(?:borrenme|borrarme|borrame|borreme|eliminenme|eliminarme|eliminame|elimineme"
        r"|quitenme|quitarme|quitame|quiteme|sacame|saquenme|sacarme|saqueme|desuscribanme"
        r"|desuscribeme|desuscribirme)\b(?! de (?:la |su )?lista de espera| del? (?:horario|turno"
        r"|cita|grupo))",
        r"(?<!no )\b(?:borren|borre|borra|borrar|eliminen|elimine|elimina|eliminar|quiten|quite"
        r"|quita"
        r"|quitar|saquen|saque|saca|sacar|olviden|olvide|olvida) (?:(?:mi|este) (?:numero|telefono"
        r"|celular|cel|contacto)|mis datos)\b",
        rf"\bno mas {_MSG}\b",
        rf"\b(?:ya )?basta (?:ya )?(?:de|con) (?:(?:los|sus|tus|estos|esos|tantos) )?{_MSG}\b",
        rf"\b(?:no|ya no) (?:quiero|deseo|necesito|queremos|deseamos|necesitamos|quiere|quieren"
        rf"|desea|desean) (?:(?:seguir )?"
        rf"(?:recibir|recibiendo) |que me"
        rf" (?:envien|manden|escriban) )?(?:mas |ningun |ningunos |sus |estos |tus |los )?"
        rf"(?:mas )?{_MSG}\b",
        r"\b(?:no|ya no) (?:quiero|deseo) (?:recibir (?:nada|mas)|que me (?:escriban|contacten"
        r"|envien|manden)(?: mas)?)\b",
        rf"\b(?:cancelar|anular|cancela|cancelen|cancele|anulen|quiero cancelar) (?:la |mi |mis"
        rf" |las |los |esta |estas |estos |sus )?(?:suscripcion|suscripciones|{_MSG})\b",
        rf"\b(?:revoco|retiro|cancelo|anulo|revocar|retirar) (?:mi |el |todo |cualquier )?"
        rf"{_CONSENT}\b",
        rf"\bno (?:doy|tengo|tienen|tiene|les doy) (?:mi )?{_CONSENT}\b",
        r"\b(?:dejenme|dejame|dejeme|dejarme) (?:en paz|tranquil[oa])\b",
        r"\bnumero equivocado\b(?! (?:en|de|del) )",
        r"\b(?:bajenme|bajarme|bajame|bajeme|salirme|sacarme|borrarme|quitarme) de (?:la|su|sus"
        r"|esta|tu) (?:\w+ )?lista\b",
        r"\b(?:se )?equivoc(?:aron|o|an|aste|ado|ada) de (?:numero|persona)\b",
    ),
    help_phrases=(
        rf"\b(?:de donde|quien|quienes) (?:son|es|manda|mandan|envia|envian) (?:estos|esto|este"
        rf"|esos)(?: {_MSG})?\b",
        r"\bcomo (?:\w+ )?(?:hago|puedo|podemos|hacemos|se puede|le hago)(?: (?:para|hacer))*"
        r"(?: que| q)? (?:ya no|no) me (?:lleguen|manden|envien|escriban)\b",
        # help or information about the texts themselves, what they are, how often, whom to ask
        rf"\b(?:ayuda|informacion|info) (?:con|sobre|de|del|acerca de|para) (?:los |las |estos"
        rf" |estas |sus |el |este |esta )?(?:\w+ )?(?:{_MSG}|programa|servicio) ?(?:de {_MSG})?",
        rf"\b(?:que|q) son (?:estos|esos|los|estas|esas|sus) {_MSG}\b",
        rf"\b(?:que|q) es (?:este|ese|el) (?:servicio|programa) de {_MSG}\b",
        r"\bnumero de (?:soporte|ayuda|atencion)\b",
        rf"\bcomo funciona (?:esto de )?(?:los |las |este |el )?(?:{_MSG}|servicio|programa)\b",
        rf"\bcuant(?:os|as) {_MSG} (?:me |nos )?(?:van|vas|mandan|envian|mandaran|enviaran"
        rf"|llegan)\b",
        rf"\bno entiendo (?:estos|esos|los|sus|tus) {_MSG}\b",
        rf"\bcuant(?:o|os|a|as) (?:cuesta|cuestan|cobran)(?: por)? (?:estos |los |sus |recibir )?"
        rf"{_MSG}\b",
        rf"\b{_MSG} (?:tienen?|tendran) (?:algun )?(?:costo|cargo|cobro)\b",
        r"\b(?:que|q) significa\b.*\b(?:responda|responde|envie|envia|escriba|mande)\b",
        rf"\bcada cuanto (?:\w+ ){{0,5}}(?:mandan|envian|llegan|escriben|mandaran|enviaran"
        rf"|{_MSG})\b",
        rf"\bcon quien (?:hablo|me comunico|puedo hablar|me contacto) (?:sobre|de|acerca de|por)"
        rf" (?:estos|los|sus|esos) {_MSG}\b",
        rf"\b(?:cuesta|cobran|tiene costo|tienen costo)(?: algo)?(?: recibir)? (?:estos|los|sus)"
        rf" {_MSG}\b",
        r"\bcomo (?:\w+ )?(?:hago|puedo|podemos|hacemos|se puede|le hago)(?: (?:para|hacer))*"
        r"(?: que| q)? (?:dejen|dejar|deje|dejo) de (?:llegar|recibir|mandar|enviar)\w*",
        r"\bcomo (?:me doy|puedo darme|darme|me puedo dar|doy|hago para darme|me das|me dan)"
        r" de baja\b",
        rf"\bcomo (?:dejo|puedo dejar|hago para dejar) de recibir (?:estos |los |sus |tus )?"
        rf"{_MSG}\b",
        rf"\bcomo (?:cancelo|puedo cancelar|desactivo) (?:la |mi |los |estos )?(?:suscripcion"
        rf"|{_MSG})\b",
    ),
    opt_in_phrases=(
        rf"\b(?:quiero|deseo|quisiera|me gustaria|queremos) (?:volver a |seguir )?recibir"
        rf" (?:otra vez |de nuevo |nuevamente )?(?:los |las |sus |tus )?{_MSG}\b",
        r"\b(?:darme|dame|denme|den|denle|dar|me doy|deme) de alta\b",
        r"(?<!no )(?<!nunca )\b(?:suscribanme|suscribeme|reactivar|reactivenme|vuelvan a enviarme"
        r"|vuelve a enviarme|vuelvan a mandarme|incluyanme|agreguenme|anotenme|inscribanme)\b",
        r"(?<!no )(?<!no me )(?<!nunca me )\b(?:volver|vuelvan|vuelva|vuelve) a (?:incluir|agregar"
        r"|anotar|poner|suscribir|inscribir)(?:me|nos)?\b",
        rf"\b(?:reactiven|reactive|reactiva|reactivar|activen|activar) (?:otra vez |de nuevo )?"
        rf"(?:mis |los |sus |las )?{_MSG}\b",
        rf"(?<!no )\b(?:mandenme|envienme|escribanme) (?:los |sus |las )?(?:{_MSG} )?(?:de nuevo"
        r"|otra vez|nuevamente)\b",
        r"\b(?:quiero|deseo|quisiera) (?:volver a )?(?:suscribirme|suscribir)\b",
    ),
    clause_opt_in=("alta", "comenzar", "iniciar"),
    markers=("de", "la", "que", "q", "el", "en", "y", "los", "las", "por", "favor", "porfa",
             "mas", "mensajes", "mi", "ya", "con", "su", "sus", "gracias", "para", "este", "esto",
             "numero", "xfa", "plis", "estos", "del", "usted", "ustedes", "es"),
    keeps_texts=(
        r"(?<!no )\b(?:quiero|deseo|quisiera) (?:seguir|continuar) recibiendo\b",
        r"^(?:era|iba) para (?:mi|mis|otra|otro|alguien)(?: \w+)?$",
        r"\bmejor (?:escribanme|escribame|por (?:mensaje|texto|sms)|mensajes|textos|mandenme"
        r" (?:mensajes|textos))\b",
        r"\b(?:escribanme|textenme|mandenme mensajes) (?:mejor|en vez|por aqui)\b",
        r"^(?:los |sus )?(?:mensajes|textos|sms)(?: de texto)? (?:estan bien|si|no hay problema)\b",
    ),
    footer=(
        r"(?<!ya )(?<!yo )\b(?:responda|responde|envie|envia|escriba|mande|conteste) (?:con )?"
        r"(?:alto|parar|baja"
        r"|stop|cancelar|fin) (?:para|y)\b",
    ),
    guards=(
        # reported speech: "me dijo que parara", "mi amigo dijo que no le escriban"
        # (in the present, "mi mamá dice que ya no le escriban", it is a request relayed to us)
        r"\b(?:dijo|dijeron|pidio|pidieron)(?: que| q)?$",
        # a how-question: "cómo hago para que dejen de…" (not "como ya les dije": as I said)
        r"\bcomo(?: \w+)?$",
        r"\bcomo (?:\w+ )?(?:hago|puedo|podemos|hacemos|se puede|le hago)(?: (?:para|hacer))*"
        r"(?: que| q)?$",
        r"\bsi (?:yo|usted|ustedes|tu)?$",
    ),
)
# fmt: on
