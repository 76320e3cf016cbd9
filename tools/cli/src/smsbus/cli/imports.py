"""`smsbus import contacts FILE` (campaign-engine) and `smsbus import dnc FILE` (compliance):
upload the file to the service's import API, then follow the import it started — a bar of the
file's bytes read and the rows taken, on stderr — until it ends; its final state as JSON on
stdout. Exit 0 when it succeeded, 1 when it failed (the reason is in the JSON), 2 when the
service refused it or did not answer.

The CLI sends the stack's token (SMSBUS_API_TOKEN, else `<state dir>/api-token`), like the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from smsbus.cli.replay.progress import progress
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import KNOWN_SERVICES
from smsbus.cli.stack.tokens import caller_token

FINAL = frozenset({"succeeded", "failed"})
POLL_SECONDS = 0.5


class ImportRefused(Exception):
    """The service answered the upload with something else than 202."""


@dataclass(frozen=True)
class Importer:
    service: str
    path: str
    content_type: str
    taken: str
    """The job's field counting the rows taken so far."""


CONTACTS = Importer("campaign-engine", "/v1/contacts/imports", "text/csv", "imported")
DNC = Importer("compliance", "/v1/dnc/imports", "text/plain", "records")


def form(args: argparse.Namespace) -> dict[str, str]:
    fields = {
        "mapping": getattr(args, "mapping", None),
        "list_name": args.list_name,
        "list_id": getattr(args, "list_id", None),
        "format": getattr(args, "format", None),
    }
    return {name: value for name, value in fields.items() if value is not None}


async def submit(
    client: httpx.AsyncClient, importer: Importer, file: Path, fields: dict[str, str]
) -> str:
    """Uploads the file; returns where the import's state is read (its Location)."""
    with file.open("rb") as body:
        upload = {"file": (file.name, body, importer.content_type)}
        answer = await client.post(importer.path, files=upload, data=fields)
    if answer.status_code != 202:
        raise ImportRefused(f"{importer.path} answered {answer.status_code}: {answer.text[:500]}")
    return answer.headers.get("location") or f"{importer.path}/{answer.json()['id']}"


async def follow(
    client: httpx.AsyncClient, importer: Importer, location: str, *, poll: float = POLL_SECONDS
) -> dict[str, Any]:
    """Polls the import until it ends, with a progress bar; returns its final state."""
    with progress(f"import {location.rsplit('/', 1)[-1]}", None, verb=importer.taken) as report:
        while True:
            answer = await client.get(location)
            answer.raise_for_status()
            job: dict[str, Any] = answer.json()
            if job["file_bytes"] and report.total != job["file_bytes"]:
                report.resize(job["file_bytes"])
            report.set(read=job["bytes_read"], written=job[importer.taken] or 0)
            if job["status"] in FINAL:
                return job
            await asyncio.sleep(poll)


async def import_file(
    client: httpx.AsyncClient, importer: Importer, file: Path, fields: dict[str, str]
) -> dict[str, Any]:
    return await follow(client, importer, await submit(client, importer, file, fields))


def run(config: StackConfig, args: argparse.Namespace) -> int:
    importer = CONTACTS if args.action == "contacts" else DNC
    if not args.file.is_file():
        print(f"smsbus import: no file {args.file}", file=sys.stderr)
        return 2
    (spec,) = (s for s in KNOWN_SERVICES if s.name == importer.service)
    token = caller_token(config.env, config.state_dir)

    async def go() -> dict[str, Any]:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{config.port(spec.port_variable, spec.default_port)}",
            headers={"Authorization": f"Bearer {token}"} if token else None,
            timeout=120,
        ) as client:
            return await import_file(client, importer, args.file, form(args))

    try:
        job = asyncio.run(go())
    except (ImportRefused, httpx.HTTPError) as exc:
        print(f"smsbus import: {importer.service}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(job))
    return 0 if job["status"] == "succeeded" else 1
