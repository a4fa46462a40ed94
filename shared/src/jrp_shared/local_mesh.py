"""The four services as separate processes on one machine: what `make run` starts
(deploy/local/run_mesh.py) and what the fault runs (`make chaos`, bench/faults.py) kill and
restart one at a time.

Development tooling, not a deployment: keys and development credentials are written under a
local `var` directory (owner-only), each service is `python -m jrp_<service>.cli serve` with
its settings in `JRP_<SERVICE>_*` variables (any already set win), logs go to
`<var>/logs/<label>.log`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path

SERVICES: dict[str, int] = {"registry": 8001, "trigger": 8002, "enforcement": 8003, "appeals": 8004}
CONSOLE_PORT = 8005
"""The officers' console (`jrp-console`): no database, pages over the four services' APIs."""
ROOT = Path(__file__).resolve().parents[3]


class MeshError(RuntimeError):
    """A service could not be prepared or started (the message says which and where to look)."""


def log(message: str) -> None:
    print(f"[mesh] {message}", file=sys.stderr, flush=True)


def ensure_keys(var: Path) -> tuple[Path, Path]:
    """The registry's signing key pair under `var/keys` (created once, private part 0600)."""
    keys = var / "keys"
    private, public = keys / "signing-private.pem", keys / "signing-public.pem"
    if not private.exists():
        from jrp_shared.auth import generate_keypair

        keys.mkdir(parents=True, exist_ok=True)
        private_pem, public_pem = generate_keypair()
        private.write_text(private_pem)
        private.chmod(0o600)
        public.write_text(public_pem)
    return private, public


def ensure_key_secret(var: Path, name: str = "kafka-key-secret") -> Path:
    """The platform secret of the Kafka key pseudonyms (docs/security.md), or another 32-byte
    secret by `name`, made once."""
    path = var / "keys" / name
    if not path.exists():
        import secrets

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path


def service_env(
    var: Path, private: Path, public: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every service's settings: the embedded default unless `base` (the environment) says
    otherwise."""
    env = dict(os.environ if base is None else base)
    for name, port in SERVICES.items():
        prefix = f"JRP_{name.upper()}_"
        env.setdefault(prefix + "DATABASE_URL", f"sqlite+aiosqlite:///{var / f'{name}.db'}")
        env.setdefault(prefix + "BUS", "embedded")
        env.setdefault(prefix + "EMBEDDED_BUS_PATH", str(var / "bus.sqlite3"))
        env.setdefault(prefix + "AUTH_PUBLIC_KEY_FILE", str(public))
        # One secret for every service: the pseudonyms of resident IDs in Kafka keys agree.
        env.setdefault(prefix + "KAFKA_KEY_SECRET_FILE", str(ensure_key_secret(var)))
        env.setdefault(prefix + "PORT", str(port))
    env.setdefault("JRP_REGISTRY_SIGNING_KEY_FILE", str(private))
    env.setdefault("JRP_CONSOLE_PORT", str(CONSOLE_PORT))
    env.setdefault("JRP_CONSOLE_SESSION_SECRET_FILE", str(var / "console-session-secret"))
    for name in SERVICES:
        env.setdefault(
            f"JRP_CONSOLE_{name.upper()}_URL", f"http://127.0.0.1:{env[f'JRP_{name.upper()}_PORT']}"
        )
    # The key sealing whistle-blowers' identities (docs/whistleblowers.md), kept across restarts.
    identity_key = ensure_key_secret(var, "whistleblower-identity-k1")
    env.setdefault(
        "JRP_APPEALS_WHISTLEBLOWER_IDENTITY_KEY_FILES", json.dumps({"k1": str(identity_key)})
    )
    return env


def cli(name: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"jrp_{name}.cli", *args]


def run_checked(command: list[str], env: Mapping[str, str]) -> None:
    result = subprocess.run(command, env=dict(env), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise MeshError(f"failed: {' '.join(command[2:])}")
    if result.stdout.strip():
        log(result.stdout.strip())


def prepare(var: Path, env: Mapping[str, str], *, seed: bool = True) -> None:
    """Migrate the four databases; with `seed`, load the catalog and write development
    credentials (`var/dev-credentials.json`: department code → bearer token)."""
    log("migrating the four databases")
    migrations = [subprocess.Popen(cli(n, "migrate"), env=dict(env), cwd=ROOT) for n in SERVICES]
    if any(p.wait() != 0 for p in migrations):
        raise MeshError("a migration failed")
    if seed:
        log("loading the measures catalog and issuing development credentials")
        run_checked(cli("registry", "load-catalog"), env)
        run_checked(
            cli(
                "registry",
                "dev-credentials",
                "--out",
                str(var / "dev-credentials.json"),
                "--secrets-out",
                str(var / "dev-client-secrets.json"),
            ),
            env,
        )
        # The console's sign-in accounts (development only; passwords in the file, 0600).
        run_checked(cli("registry", "dev-officers", "--out", str(var / "dev-officers.json")), env)


class ServiceProcess:
    """One service process: started, probed, stopped cleanly or killed as a crash would."""

    def __init__(self, label: str, service: str, env: Mapping[str, str], logs: Path) -> None:
        self.label = label
        self.service = service
        self.env = dict(env)
        self.port = int(self.env[f"JRP_{service.upper()}_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = logs / f"{label}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log_path.open("ab") as logfile:
            self.process = subprocess.Popen(
                cli(self.service, "serve"),
                env=self.env,
                cwd=ROOT,
                stdout=logfile,
                stderr=subprocess.STDOUT,
            )

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def signal_stop(self) -> None:
        """SIGTERM: the service drains and stops (see `terminate`)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def terminate(self, timeout: float = 15.0) -> None:
        """Stop cleanly; killed if still running after `timeout` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.signal_stop()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"{self.label} did not stop in {timeout:.0f}s; killing it")
            self.kill()


def stop_all(processes: Iterable[ServiceProcess], timeout: float = 15.0) -> None:
    """SIGTERM to every process at once, then wait for each (killed after `timeout`)."""
    processes = list(processes)
    for process in processes:
        process.signal_stop()
    for process in processes:
        process.terminate(timeout)


def wait_ready(processes: Iterable[ServiceProcess], timeout: float) -> None:
    pending = {p.label: p for p in processes}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for label, process in list(pending.items()):
            code = process.exited()
            if code is not None:
                raise MeshError(f"{label} exited with {code}; see its log")
            if process.ready():
                del pending[label]
        if pending:
            time.sleep(0.2)
    if pending:
        raise MeshError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")


def mesh_processes(
    env: Mapping[str, str], logs: Path, enforcement_replicas: int = 1, *, console: bool = False
) -> list[ServiceProcess]:
    """One process per service; enforcement replica i > 1 listens on its port + 10·(i-1);
    with `console`, the officers' console as well."""
    logs.mkdir(mode=0o700, parents=True, exist_ok=True)
    processes = [ServiceProcess(name, name, env, logs) for name in SERVICES]
    if console:
        processes.append(ServiceProcess("console", "console", env, logs))
    base_port = int(env["JRP_ENFORCEMENT_PORT"])
    for i in range(2, enforcement_replicas + 1):
        replica_env = {**env, "JRP_ENFORCEMENT_PORT": str(base_port + 10 * (i - 1))}
        processes.append(ServiceProcess(f"enforcement-{i}", "enforcement", replica_env, logs))
    return processes
