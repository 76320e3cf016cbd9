"""The replies' built-in wording per language: templates over {brand}, {support},
{frequency} and {help_intro}. Data only; settings may override any field per language.

Within carrier rules (CTIA; FCC 24-24): the opt-out confirmation names the brand, says nothing
more will come and how to come back, and nothing else; the opt-in confirmation and HELP add the
frequency, "Msg & data rates may apply" and how to stop; HELP gives the support contact. The
keywords they name are ones the classifier reads in that language (STOP/PARAR/ARRET, START/ALTA/
ABONNER, HELP/AYUDA/AIDE). Under the revocation scope `purpose`, a STOP that ends one purpose
is confirmed by that purpose's wording, which says what ends and how to end everything (the FCC's
one text "confirming or clarifying the scope").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    """One language's replies: templates over {brand}, {support}, {frequency}, {help_intro}
    ({help_intro} becomes " <intro>", or nothing when the intro is empty)."""

    opt_out: str
    opt_in: str
    help: str
    frequency: str
    help_intro: str = ""
    opt_out_marketing: str = ""
    """The confirmation of a STOP that ended marketing only (revocation scope `purpose`)."""
    opt_out_transactional: str = ""
    """The confirmation of a STOP that ended transactional texts only."""


WORDINGS: dict[str, Wording] = {
    "en": Wording(
        opt_out=(
            "{brand}: You are unsubscribed and will receive no more messages from us. "
            "Reply START to resubscribe."
        ),
        opt_in=(
            "{brand}: You are resubscribed. {frequency}. Msg & data rates may apply. "
            "Reply HELP for help, STOP to opt out."
        ),
        help=(
            "{brand}:{help_intro} Help: {support}. {frequency}. Msg & data rates may apply. "
            "Reply STOP to opt out."
        ),
        frequency="Msg frequency varies",
        help_intro="Texts about your jobs and quotes.",
        opt_out_marketing=(
            "{brand}: You will receive no more marketing messages from us. Reply STOP ALL to "
            "end every message, START to resubscribe."
        ),
        opt_out_transactional=(
            "{brand}: You will receive no more reminders or account updates from us. Reply "
            "STOP ALL to end every message, START to resubscribe."
        ),
    ),
    "es": Wording(
        opt_out=(
            "{brand}: Se ha dado de baja y no recibirá más mensajes nuestros. "
            "Responda ALTA para volver a suscribirse."
        ),
        opt_in=(
            "{brand}: Se ha vuelto a suscribir. {frequency}. Pueden aplicarse tarifas de "
            "mensajes y datos. Responda AYUDA para ayuda, PARAR o STOP para darse de baja."
        ),
        help=(
            "{brand}:{help_intro} Ayuda: {support}. {frequency}. Pueden aplicarse tarifas de "
            "mensajes y datos. Responda PARAR o STOP para darse de baja."
        ),
        frequency="Frecuencia de mensajes variable",
        help_intro="Mensajes sobre sus trabajos y presupuestos.",
        opt_out_marketing=(
            "{brand}: No recibirá más mensajes promocionales nuestros. Responda PARAR TODO "
            "para no recibir ninguno, ALTA para volver a suscribirse."
        ),
        opt_out_transactional=(
            "{brand}: No recibirá más recordatorios ni avisos de su cuenta. Responda PARAR "
            "TODO para no recibir ninguno, ALTA para volver a suscribirse."
        ),
    ),
    "fr": Wording(
        opt_out=(
            "{brand}: Vous êtes désabonné et ne recevrez plus de messages de notre part. "
            "Répondez START pour vous réabonner."
        ),
        opt_in=(
            "{brand}: Vous êtes réabonné. {frequency}. Des frais de messagerie et de données "
            "peuvent s'appliquer. Répondez AIDE pour de l'aide, ARRET ou STOP pour vous désabonner."
        ),
        help=(
            "{brand}:{help_intro} Aide : {support}. {frequency}. Des frais de messagerie et de "
            "données peuvent s'appliquer. Répondez ARRET ou STOP pour vous désabonner."
        ),
        frequency="Fréquence des messages variable",
        help_intro="Messages sur vos travaux et devis.",
        opt_out_marketing=(
            "{brand}: Vous ne recevrez plus de messages promotionnels de notre part. Répondez "
            "ARRET TOUT pour ne plus rien recevoir, START pour vous réabonner."
        ),
        opt_out_transactional=(
            "{brand}: Vous ne recevrez plus de rappels ni d'avis sur votre compte. Répondez "
            "ARRET TOUT pour ne plus rien recevoir, START pour vous réabonner."
        ),
    ),
}
