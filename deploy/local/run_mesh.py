"""`make run`: the whole mesh on one machine, on the embedded default.

Creates signing keys, migrates each service's database, loads the catalog, writes development
credentials (var/dev-credentials.json: department code → bearer token), starts the four
services as separate processes, waits until each is ready, prints their URLs, and stops them
cleanly on Ctrl-C. Defaults: SQLite per service and the embedded bus (var/bus.sqlite3). Any
JRP_<SERVICE>_* variable already set wins, so the same command runs on Kafka and PostgreSQL:
see README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVICES = {"registry": 8001, "trigger": 8002, "enforcement": 8003, "appeals": 8004}
ROOT = Path(__file__).resolve().parents[2]


def log(message: str) -> None:
    print(f"[mesh] {message}", file=sys.stderr, flush=True)


def ensure_keys(var: Path) -> tuple[Path, Path]:
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


def ensure_key_secret(var: Path) -> Path:
    """The platform secret of the Kafka key pseudonyms (docs/security.md), made once."""
    path = var / "keys" / "kafka-key-secret"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path


def service_env(var: Path, private: Path, public: Path) -> dict[str, str]:
    env = dict(os.environ)
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
    return env


def cli(name: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"jrp_{name}.cli", *args]


def run_checked(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"[mesh] failed: {' '.join(command[2:])}")
    if result.stdout.strip():
        log(result.stdout.strip())


def wait_ready(
    urls: dict[str, str], procs: dict[str, subprocess.Popen[bytes]], timeout: float
) -> None:
    pending = dict(urls)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            if procs[name].poll() is not None:
                raise SystemExit(f"[mesh] {name} exited with {procs[name].returncode}; see its log")
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        del pending[name]
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.2)
    if pending:
        raise SystemExit(f"[mesh] not ready after {timeout:.0f}s: {', '.join(pending)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--no-seed", action="store_true", help="skip loading the catalog")
    parser.add_argument("--ready-timeout", type=float, default=60.0)
    parser.add_argument(
        "--enforcement-replicas",
        type=int,
        default=1,
        help="run enforcement as N processes on one database and consumer group (Kafka only); "
        "replica i > 1 listens on port 8003 + 10·(i-1)",
    )
    args = parser.parse_args()
    var: Path = args.var_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    (var / "logs").mkdir(exist_ok=True)
    private, public = ensure_keys(var)
    env = service_env(var, private, public)

    log("migrating the four databases")
    migrations = [subprocess.Popen(cli(n, "migrate"), env=env, cwd=ROOT) for n in SERVICES]
    if any(p.wait() != 0 for p in migrations):
        raise SystemExit("[mesh] a migration failed")
    if not args.no_seed:
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

    replicas = max(args.enforcement_replicas, 1)
    if replicas > 1 and env.get("JRP_ENFORCEMENT_BUS") != "kafka":
        raise SystemExit("[mesh] several enforcement replicas need Kafka (JRP_ENFORCEMENT_BUS)")
    processes = [(name, name, env) for name in SERVICES]
    base_port = int(env["JRP_ENFORCEMENT_PORT"])
    for i in range(2, replicas + 1):
        replica_env = {**env, "JRP_ENFORCEMENT_PORT": str(base_port + 10 * (i - 1))}
        processes.append((f"enforcement-{i}", "enforcement", replica_env))
    procs: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    for label, name, process_env in processes:
        port = process_env[f"JRP_{name.upper()}_PORT"]
        logfile = (var / "logs" / f"{label}.log").open("ab")
        procs[label] = subprocess.Popen(
            cli(name, "serve"), env=process_env, cwd=ROOT, stdout=logfile, stderr=subprocess.STDOUT
        )
        urls[label] = f"http://127.0.0.1:{port}"

    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        wait_ready(urls, procs, args.ready_timeout)
        print("\nThe mesh is up (embedded default unless JRP_* variables say otherwise):")
        for name, url in urls.items():
            print(f"  {name:<12} {url}   docs: {url}/docs")
        print(f"\nDevelopment tokens: {var / 'dev-credentials.json'}")
        print(f"Logs: {var / 'logs'}/<service>.log     Stop: Ctrl-C\n", flush=True)
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    log(f"{name} exited with {proc.returncode}; stopping the mesh")
                    stopping = True
            time.sleep(0.3)
    finally:
        log("stopping")
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in procs.items():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in time; killing it")
                proc.kill()
        log("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
