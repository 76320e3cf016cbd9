"""PostgreSQL for the local stack: Debian's server binaries with a cluster of our own.

The cluster lives in <state>/postgres (never the system's /var/lib/postgresql), listens on
127.0.0.1 only, trusts local connections and has the `smsbus` role and database. As root the server
runs as the `postgres` user, since PostgreSQL refuses to run as root. Ready = `select 1` succeeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

import asyncpg

from smsbus.cli.stack.config import LOCAL_DATABASE, LOCAL_DATABASE_USER, StackConfig
from smsbus.cli.stack.install import install_debian_packages
from smsbus.cli.stack.processes import PidFile, port_in_use

NAME = "postgres"


class PostgresServer:
    name = NAME
    # SIGINT is PostgreSQL's fast shutdown: active sessions are rolled back, not waited for.
    stop_signal = signal.SIGINT
    ready_timeout = 60.0

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.link = config.state_dir / "postgres"
        self.pidfile = PidFile(config.pids_dir, NAME)
        self.external = config.postgres_external

    @property
    def home(self) -> Path:
        # Resolved: the server user may reach the cluster only through its real path.
        return self.link.resolve()

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    @property
    def address(self) -> str:
        return self.config.database_url

    def install(self) -> None:
        if not self.external and _server_bin_dir() is None:
            install_debian_packages(["postgresql"])

    def start(self) -> None:
        port = self.config.postgres_port
        if port_in_use("127.0.0.1", port):
            raise SystemExit(
                f"port {port} is taken by a process this stack did not start; stop it, "
                "or set SMSBUS_POSTGRES_PORT, or point SMSBUS_DATABASE_URL at that server"
            )
        self._prepare_home()
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", LOCAL_DATABASE_USER,
                      "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        sockets = self.home / "run"
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        postmaster_pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        self.pidfile.write(postmaster_pid)
        asyncio.run(_create_database(self.config.database_url))

    def ready(self) -> bool:
        return asyncio.run(_select_one(self.config.database_url))

    def _prepare_home(self) -> None:
        """A directory the server user owns: <state>/postgres, or a link to one it can reach.

        As root, the state directory may sit where the `postgres` user cannot go (a clone under
        /root, a 0700 temp dir); the cluster then lives in that user's home, linked from the state.
        """
        owner = _server_user()
        if not self.link.exists():
            self.config.state_dir.mkdir(parents=True, exist_ok=True)
            if owner is None or _can_reach(owner, self.config.state_dir):
                self.link.mkdir()
            else:
                digest = hashlib.sha256(str(self.config.state_dir).encode()).hexdigest()[:12]
                target = Path(owner.pw_dir) / f"smsbus-{digest}"
                target.mkdir(parents=True, exist_ok=True)
                self.link.symlink_to(target)
        (self.home / "run").mkdir(exist_ok=True)
        self.log.touch()
        if owner is not None:
            for path in (self.home, self.home / "run", self.log):
                shutil.chown(path, owner.pw_uid, owner.pw_gid)

    def _run(self, program: str, *args: str) -> None:
        bin_dir = _server_bin_dir()
        assert bin_dir is not None, "install() runs first"
        argv = [str(bin_dir / program), *args]
        owner = _server_user()
        if owner is not None:
            argv = [*_as_user(owner), *argv]
        with self.log.open("ab") as out:
            subprocess.run(argv, check=True, stdout=out, stderr=subprocess.STDOUT)


def _server_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin directory (Debian layout)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def _can_reach(user: pwd.struct_passwd, directory: Path) -> bool:
    probe = [*_as_user(user), "test", "-x", str(directory)]
    return subprocess.run(probe, check=False).returncode == 0


def _as_user(user: pwd.struct_passwd) -> list[str]:
    """The prefix that runs a command as `user`. runuser lives in /usr/sbin, which a plain
    PATH (`PATH=/usr/bin:/bin`, a non-login shell, cron) leaves out, so look there too."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    runuser = shutil.which("runuser", path=search)
    if runuser is None:
        raise RuntimeError("runuser (util-linux) is needed to run PostgreSQL as root")
    return [runuser, "-u", user.pw_name, "--"]


def _server_user() -> pwd.struct_passwd | None:
    """PostgreSQL will not run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("postgres")


def _plain_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _select_one(database_url: str) -> bool:
    try:
        connection = await asyncpg.connect(_plain_dsn(database_url), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    try:
        return bool(await connection.fetchval("select 1") == 1)
    finally:
        await connection.close()


async def _create_database(database_url: str) -> None:
    admin_dsn = _plain_dsn(database_url).rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        exists = await connection.fetchval(
            "select 1 from pg_database where datname = $1", LOCAL_DATABASE
        )
        if not exists:
            await connection.execute(f'create database "{LOCAL_DATABASE}"')
    finally:
        await connection.close()
