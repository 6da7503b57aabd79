"""Start and stop a real Neo4j 5.26 Community server for tests, without Docker.

The server is the launcher in tools/neo4j (Neo4j's embedded DBMS with the Bolt connector on 127.0.0.1),
run from the jars `tools/neo4j/fetch.sh` downloads from Maven Central. Auth is on, with a known test
password set by the launcher on first boot. `NEO4J_JAVA_OPTS` may replace the small default heap.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools" / "neo4j"
TEST_USER = "neo4j"
TEST_PASSWORD = "kg-test-password"
READY = "KG-NEO4J READY"
# Neo4j 5's own launcher passes these; without them Netty and the page cache log reflective-access errors.
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
]
DEFAULT_HEAP = ["-Xms256m", "-Xmx1g", "-XX:+UseSerialGC"]
PAGECACHE_MB = 256


class ServerUnavailable(RuntimeError):
    """The server could not be provided (no Java, no jars, a failed boot); the message says why."""


def jars_stamp() -> Path:
    """The file fetch.sh leaves once the jars of this exact pom.xml are complete."""
    pom = (TOOLS / "pom.xml").read_bytes()
    version = re.search(rb"<neo4j.version>(.*?)</neo4j.version>", pom).group(1).decode()
    return TOOLS / "target" / "lib" / f".complete-{version}-{hashlib.sha256(pom).hexdigest()[:12]}"


def jars_ready() -> bool:
    return (TOOLS / "target" / "classes" / "KgNeo4jServer.class").is_file() and jars_stamp().is_file()


def ensure_jars(timeout: float = 900) -> None:
    """Run tools/neo4j/fetch.sh unless the jars and the launcher are already there."""
    if jars_ready():
        return
    try:
        proc = subprocess.run(["bash", str(TOOLS / "fetch.sh")], capture_output=True, text=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ServerUnavailable(f"tools/neo4j/fetch.sh did not finish: {err}") from None
    if proc.returncode != 0 or not jars_ready():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise ServerUnavailable(f"tools/neo4j/fetch.sh failed: {tail[0]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Neo4jServer:
    """A server for tests. `managed` servers were started here and can be stopped and restarted (same
    home, same port, same data); an external one (KG_NEO4J_URI) cannot."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"
    home: Path | None = None
    port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def managed(self) -> bool:
        return self.home is not None

    @property
    def log(self) -> Path:
        assert self.home is not None
        return self.home / "launcher.log"

    def start(self, timeout: float = 180) -> None:
        if not self.managed:
            raise ServerUnavailable("an external server (KG_NEO4J_URI) cannot be started by the tests")
        if self.running:
            return
        assert self.home is not None and self.port is not None
        java_opts = shlex.split(os.environ.get("NEO4J_JAVA_OPTS", "")) or DEFAULT_HEAP
        cmd = ["java", *java_opts, *JVM_FLAGS, "-cp",
               f"{TOOLS / 'target' / 'classes'}{os.pathsep}{TOOLS / 'target' / 'lib' / '*'}",
               "KgNeo4jServer", str(self.home), str(self.port), str(PAGECACHE_MB)]
        env = {**os.environ, "KG_NEO4J_PASSWORD": self.password}
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            offset = log.tell()
            try:
                self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                                stdin=subprocess.DEVNULL)
            except OSError as err:
                raise ServerUnavailable(f"cannot run java: {err}") from None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[offset:].decode("utf-8", "replace")
            if READY in text:
                self._verify()
                return
            if self.process.poll() is not None:
                last = [ln for ln in text.splitlines() if ln.strip()][-3:]
                raise ServerUnavailable(f"Neo4j exited with {self.process.returncode} while starting: "
                                        + " | ".join(last))
            time.sleep(0.25)
        self.stop()
        raise ServerUnavailable(f"Neo4j did not accept Bolt connections within {timeout:.0f} s "
                                f"(log: {self.log})")

    def _verify(self) -> None:
        """The launcher is up; check that Bolt answers with our credentials, as every test will use it."""
        import neo4j

        try:
            with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver:
                driver.verify_connectivity()
        except Exception as err:  # noqa: BLE001 - any failure means no usable server
            self.stop()
            raise ServerUnavailable(f"Neo4j started but Bolt at {self.uri} does not answer: {err}") from None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, *, timeout: float = 60) -> None:
        """SIGTERM (the launcher's shutdown hook closes the stores cleanly), then SIGKILL if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None

    def kill(self) -> None:
        """Stop abruptly, like a crash or a pulled cable: no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def restart(self, timeout: float = 180) -> None:
        self.stop()
        self.start(timeout=timeout)

    def settings(self, **overrides: str):
        from kg.config import Neo4jSettings

        values = {"uri": self.uri, "user": self.user, "password": self.password, "database": self.database}
        values.update(overrides)
        return Neo4jSettings(**values)


def external_from_env(env: dict[str, str]) -> Neo4jServer | None:
    uri = env.get("KG_NEO4J_URI")
    if not uri:
        return None
    return Neo4jServer(uri=uri, user=env.get("KG_NEO4J_USER") or "neo4j",
                       password=env.get("KG_NEO4J_PASSWORD") or "",
                       database=env.get("KG_NEO4J_DATABASE") or "neo4j")


def start_managed(home: Path, *, timeout: float = 180) -> Neo4jServer:
    """Fetch the jars if needed, then start a server on a free port in `home`."""
    ensure_jars()
    port = free_port()
    server = Neo4jServer(uri=f"bolt://127.0.0.1:{port}", user=TEST_USER, password=TEST_PASSWORD,
                         home=home, port=port)
    server.start(timeout=timeout)
    return server


def wipe(driver, database: str = "neo4j") -> None:
    """An empty database: no data, and none of the constraints or indexes a test created."""
    while True:
        res = driver.execute_query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c",
                                   database_=database)
        if res.records[0]["c"] == 0:
            break
    for rec in driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=database).records:
        driver.execute_query(f"DROP CONSTRAINT `{rec['name']}` IF EXISTS", database_=database)
    for rec in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'",
                                    database_=database).records:
        driver.execute_query(f"DROP INDEX `{rec['name']}` IF EXISTS", database_=database)
