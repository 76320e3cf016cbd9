"""`python -m smsbus.openphone_sim` is how the local stack runs it: it must come up ready."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_module_serves_readyz_and_the_seeded_workspace_on_its_port() -> None:
    port = free_port()
    env = {**os.environ, "SMSBUS_SIM_PORT": str(port), "SMSBUS_SIM_WEBHOOK_URLS": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "smsbus.openphone_sim", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async with asyncio.timeout(20):
                while True:
                    try:
                        if (await client.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
            key = os.environ.get("SMSBUS_OPENPHONE_API_KEY", "smsbus-local-development-api-key")
            lines = await client.get("/v1/phone-numbers", headers={"Authorization": key})
            history = await client.get("/sim/messages")
    finally:
        process.terminate()
        await process.wait()

    assert lines.status_code == 200
    assert len(lines.json()["data"]) == 2
    assert len(history.json()["data"]) == 3
