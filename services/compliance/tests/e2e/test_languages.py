"""Replies in the language of the message, end to end: the simulator signs a Spanish reply to
ingest, ingest publishes it to Kafka, compliance reads it, records consent and answers in
Spanish through the simulator."""

import pytest

from .harness import PERSON, Stack, consent, eventually, has_status, settled_outgoing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OPTED_OUT_ES = "Acme Fences: Se ha dado de baja y no recibirá más mensajes nuestros."
OPTED_IN_ES = "Acme Fences: Se ha vuelto a suscribir."


async def test_no_mas_mensajes_then_si_then_parar_then_alta_all_answered_in_spanish(
    stack: Stack,
) -> None:
    await stack.webhook()
    async with stack.compliance() as api:
        steps = [
            ("no más mensajes", "opted_out", OPTED_OUT_ES),
            ("sí", "opted_in", OPTED_IN_ES),
            ("PARAR", "opted_out", OPTED_OUT_ES),
            ("ALTA", "opted_in", OPTED_IN_ES),
        ]
        for n, (text, status, _) in enumerate(steps, start=1):
            await stack.sim.inbound_message(sender=PERSON, to=stack.line, text=text)
            await eventually(lambda status=status, n=n: has_status(api, status, entries=n))
            await settled_outgoing(stack, PERSON, n)  # one person's replies, one at a time

        sent = await settled_outgoing(stack, PERSON, len(steps))
        begins = [begin for _, _, begin in steps]
        assert [m["text"][: len(b)] for m, b in zip(sent, begins, strict=True)] == begins
        assert all(m["from"] == stack.line for m in sent)
        assert "Responda ALTA" in sent[0]["text"]
        assert "PARAR o STOP" in sent[1]["text"]
        history = (await consent(api))["history"]
        assert [
            (e["action"], e["evidence"]["text"], e["evidence"]["language"]) for e in history
        ] == [
            ("revoked", "no más mensajes", "es"),
            ("granted", "sí", "es"),
            ("revoked", "PARAR", "es"),
            ("granted", "ALTA", "es"),
        ]
