"""Spanish: carrier keywords (PARAR, ALTO, DETENER, CANCELAR, BAJA; ALTA; AYUDA) and plain
language ("no más mensajes", "ya basta", "elimíname", "darme de baja", "sí" as an opt-in).

Normalised form: accents removed ("más" → "mas"), "¿¡" and other punctuation a space.
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.table import LanguageTable

_MSG = r"(?:mensajes?|mensajitos|textos?|sms|msjs?|notificaciones|publicidad|promociones|correos)"
_SEND = (
    r"(?:envien|envies|envie|manden|mandes|mande|escriban|escribas|escriba|contacten|contactes"
    r"|contacte|molesten|molestes|moleste|llamen|textees?)"
)
_TO_ME = (
    r"(?:enviarme|mandarme|escribirme|contactarme|molestarme|llamarme|enviar mensajes"
    r"|mandar mensajes|enviarnos|mandarnos|molestar|fastidiar|escribir|enviar|mandar)"
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
        "senora", "ahora", "ahora mismo", "de una vez", "oiga", "quiero",
    ),
    strong_suffixes=("todo", "todos", "mensajes", "sms", "textos", "los mensajes", "ya"),
    revocation_phrases=(
        rf"\b(?:no|ya no|nunca) (?:me |nos )?(?:vuelvan a |vuelvas a )?{_SEND}"
        rf" (?:mas|mensajes|textos|sms|nunca|nada)\b",
        rf"\b(?:no|ya no) (?:me |nos )?(?:vuelvan a |vuelvas a )?{_SEND}$",
        r"\b(?:no|ya no|nunca) (?:me |nos )?vuelv(?:an|as|a) a (?:escribir|enviar|mandar|contactar"
        r"|molestar|llamar|textear)\b",
        rf"\bdej(?:a|en|e|ar) de {_TO_ME}\b",
        rf"\b(?:para|paren|pare|parar|detengan|deten|detenga|detener) de {_TO_ME}\b",
        r"\b(?:darme|dame|denme|darse|me doy|deme|me quiero dar) de baja\b",
        # bare "dar de baja" only as the request itself, not "dar de baja el equipo viejo"
        r"^(?:quiero |quisiera )?dar de baja(?: (?:mi numero|por favor|este numero))?$",
        r"\bquiero (?:la )?baja\b",
        r"\b(?:borrenme|borrarme|borrame|borreme|eliminenme|eliminarme|eliminame|elimineme"
        r"|quitenme|quitarme|quitame|quiteme|sacame|saquenme|sacarme|saqueme|desuscribanme"
        r"|desuscribeme|desuscribirme)\b",
        r"\b(?:borren|borre|borra|borrar|eliminen|elimine|elimina|eliminar|quiten|quite|quita"
        r"|quitar|saquen|saque|saca|sacar) (?:mi (?:numero|telefono|celular|contacto)|mis datos)\b",
        rf"\bno mas {_MSG}\b",
        rf"\b(?:ya )?basta (?:ya )?(?:de|con) (?:(?:los|sus|tus|estos|esos|tantos) )?{_MSG}\b",
        rf"\b(?:no|ya no) (?:quiero|deseo|necesito) (?:recibir |que me (?:envien|manden"
        rf"|escriban) )?(?:mas |ningun |ningunos |sus |estos |tus |los )?(?:mas )?{_MSG}\b",
        r"\b(?:no|ya no) (?:quiero|deseo) (?:recibir (?:nada|mas)|que me (?:escriban|contacten"
        r"|envien|manden)(?: mas)?)\b",
        rf"\b(?:cancelar|anular|cancela|cancelen|cancele|anulen|quiero cancelar) (?:la |mi |mis"
        rf" |las |los |esta |estas |estos |sus )?(?:suscripcion|suscripciones|{_MSG})\b",
        rf"\b(?:revoco|retiro|cancelo|anulo|revocar|retirar) (?:mi |el |todo |cualquier )?"
        rf"{_CONSENT}\b",
        rf"\bno (?:doy|tengo|tienen|tiene|les doy) (?:mi )?{_CONSENT}\b",
        r"\b(?:dejenme|dejame|dejeme|dejarme) (?:en paz|tranquil[oa])\b",
        r"\bnumero equivocado\b",
        r"\b(?:bajenme|bajarme|bajame|bajeme) de (?:la|su|sus|esta|tu) (?:\w+ )?lista\b",
        r"\b(?:se )?equivoc(?:aron|o|an|aste|ado|ada) de (?:numero|persona)\b",
    ),
    help_phrases=(
        r"\bcomo (?:me doy|puedo darme|darme|me puedo dar|doy|hago para darme|me das|me dan)"
        r" de baja\b",
        rf"\bcomo (?:dejo|puedo dejar|hago para dejar) de recibir (?:estos |los |sus |tus )?"
        rf"{_MSG}\b",
        rf"\bcomo (?:cancelo|puedo cancelar|desactivo) (?:la |mi |los |estos )?(?:suscripcion"
        rf"|{_MSG})\b",
    ),
    opt_in_phrases=(
        rf"\b(?:quiero|deseo|quisiera|me gustaria|queremos) (?:volver a |seguir )?recibir"
        rf" (?:los |sus |tus |sus )?{_MSG}\b",
        r"\b(?:darme|dame|denme|dar|me doy|deme) de alta\b",
        r"\b(?:suscribanme|suscribeme|reactivar|reactivenme|vuelvan a enviarme|vuelve a enviarme"
        r"|vuelvan a mandarme)\b",
        r"\b(?:quiero|deseo|quisiera) (?:volver a )?(?:suscribirme|suscribir)\b",
    ),
    guards=(
        # reported speech: "me dijo que parara", "mi amigo dijo que no le escriban"
        r"\b(?:dijo|dijeron|dice|dicen|pidio|pidieron)(?: que)?$",
        r"\bcomo(?: \w+)?$",
        r"\bsi (?:yo|usted|ustedes|tu)?$",
    ),
)
# fmt: on
