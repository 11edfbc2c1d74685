"""A real one-node SLURM cluster for the tests, started from a folder of its own and stopped again.

Debian's packages (Slurm 22.05) run it as root without systemd: `munged` with a fresh key,
MariaDB with a fresh data directory for the accounting database, `slurmdbd`, `slurmctld` and
`slurmd`, every one in the foreground as a child of the test, with its configuration, state,
spool, sockets, pid and log files in the cluster folder and its own ports on 127.0.0.1. The
client commands (sbatch, squeue, sacct, scancel) find it through SLURM_CONF, which `env` sets.

Accounting is on (`slurmdbd`): submitit asks `sacct` for the state of every job. Without an
answer it warns "Bypassing sacct error" on every poll, and a job that was cancelled or killed
stays in state UNKNOWN, so the sweep would wait for it forever. Slurm 22.05 has no
accounting-storage plugin other than slurmdbd (filetxt is gone), hence the small database.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Debian packages, and a program of each that shows it is installed
PACKAGES = {
    "munge": "munged",
    "slurmctld": "slurmctld",
    "slurmd": "slurmd",
    "slurm-client": "sbatch",
    "slurmdbd": "slurmdbd",
    "mariadb-server": "mariadbd",
}
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin"])
PARTITION = "sim"
CLUSTER = "simtest"
DB_USER, DB_PASS, DB_NAME = "slurm", "slurm", "slurm_acct_db"


def which(program: str) -> str | None:
    """The path of `program`, looking in the sbin folders too (daemons live there)."""
    return shutil.which(program, path=SEARCH_PATH)


def missing_packages() -> list[str]:
    """The Debian packages of the cluster that are not installed."""
    return [pkg for pkg, program in PACKAGES.items() if which(program) is None]


def can_install() -> tuple[bool, str]:
    """(whether apt-get can install packages here, why not)."""
    if which("apt-get") is None:
        return False, "apt-get is not available (not a Debian-like system)"
    if os.geteuid() == 0:
        return True, ""
    sudo = which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return True, ""
    return False, "installing them needs root or password-less sudo"


def install(packages: list[str]) -> None:
    """Install Debian packages with apt-get (as root, or through sudo)."""
    prefix = [] if os.geteuid() == 0 else [which("sudo") or "sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        out = subprocess.run(prefix + cmd, capture_output=True, text=True, env=env, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check, what: str, timeout: float = 30.0, every: float = 0.1, log: Path | None = None):
    """Poll `check()` until it returns something true; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s\n{tail}")


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def node_resources() -> tuple[int, int]:
    """(CPUs, RealMemory in MB) of this machine as slurmd measures them (`slurmd -C`)."""
    out = subprocess.run([which("slurmd") or "slurmd", "-C"], capture_output=True, text=True,
                         check=True).stdout
    cpus = int(re.search(r"\bCPUs=(\d+)", out).group(1))
    memory = int(re.search(r"\bRealMemory=(\d+)", out).group(1))
    return cpus, memory


class LocalCluster:
    """munged, MariaDB, slurmdbd, slurmctld and slurmd in one folder (see the module)."""

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        # munged wants every folder above its socket searchable by all: not pytest's tmp_path
        self.root = Path(root or tempfile.mkdtemp(prefix="slurm-", dir="/tmp"))
        self.root.chmod(0o755)
        self.host = socket.gethostname().split(".")[0]
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {name: free_port() for name in ("ctld", "slurmd", "dbd", "db")}
        self.conf = self.root / "etc" / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.env.pop("SLURM_JOB_ID", None)  # not inside another cluster's job
        self.timings: dict[str, float] = {}

    # --- the files ------------------------------------------------------------------------------
    def path(self, *parts: str) -> Path:
        """A path inside the cluster folder."""
        return self.root.joinpath(*parts)

    def write_config(self) -> None:
        """The munge key, the database's first statements, slurmdbd.conf and slurm.conf."""
        for sub in ("etc", "run", "log", "state", "spool", "munge", "db"):
            self.path(sub).mkdir(exist_ok=True)
        self.path("munge").chmod(0o700)
        key = self.path("munge", "munge.key")
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.path("db", "init.sql").write_text(
            f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASS}';\n"
            f"GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'127.0.0.1';\n"
        )
        socket_path = self.path("run", "munge.socket")
        dbd = self.path("etc", "slurmdbd.conf")
        dbd.write_text("\n".join([
            "AuthType=auth/munge",
            f"AuthInfo=socket={socket_path}",
            "DbdHost=localhost",
            "DbdAddr=127.0.0.1",
            f"DbdPort={self.ports['dbd']}",
            "SlurmUser=root",
            f"LogFile={self.path('log', 'slurmdbd.log')}",
            f"PidFile={self.path('run', 'slurmdbd.pid')}",
            "StorageType=accounting_storage/mysql",
            "StorageHost=127.0.0.1",
            f"StoragePort={self.ports['db']}",
            f"StorageUser={DB_USER}",
            f"StoragePass={DB_PASS}",
            f"StorageLoc={DB_NAME}",
        ]) + "\n")
        dbd.chmod(0o600)  # slurmdbd refuses a readable one
        cpus, memory = node_resources()
        self.cpus = cpus
        self.conf.write_text("\n".join([
            f"ClusterName={CLUSTER}",
            f"SlurmctldHost={self.host}(127.0.0.1)",
            f"SlurmctldPort={self.ports['ctld']}",
            f"SlurmdPort={self.ports['slurmd']}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            f"AuthInfo=socket={socket_path}",
            "CredType=cred/munge",
            f"StateSaveLocation={self.path('state')}",
            f"SlurmdSpoolDir={self.path('spool')}",
            f"SlurmctldPidFile={self.path('run', 'slurmctld.pid')}",
            f"SlurmdPidFile={self.path('run', 'slurmd.pid')}",
            f"SlurmctldLogFile={self.path('log', 'slurmctld.log')}",
            f"SlurmdLogFile={self.path('log', 'slurmd.log')}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "MpiDefault=none",
            "MailProg=/bin/true",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "SchedulerType=sched/backfill",
            "ReturnToService=2",
            "KillWait=2",  # scancel: SIGTERM, then SIGKILL 2 s later (default 30 s)
            # accounting, so that sacct answers submitit (the module says why)
            "JobAcctGatherType=jobacct_gather/linux",
            "AccountingStorageType=accounting_storage/slurmdbd",
            "AccountingStorageHost=127.0.0.1",
            f"AccountingStoragePort={self.ports['dbd']}",
            f"AccountingStoragePass={socket_path}",  # the munge socket for slurmdbd's messages
            f"NodeName={self.host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} "
            "State=UNKNOWN",
            f"PartitionName={PARTITION} Nodes={self.host} Default=YES MaxTime=INFINITE State=UP",
        ]) + "\n")

    # --- the daemons ----------------------------------------------------------------------------
    def _start(self, name: str, cmd: list[str]) -> None:
        out = open(self.path("log", f"{name}.out"), "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=self.root,
        )
        out.close()

    def _alive(self, name: str) -> bool:
        proc = self.procs[name]
        if proc.poll() is not None:
            log = self.path("log", f"{name}.out").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with status {proc.returncode}:\n{log}")
        return True

    def start(self) -> LocalCluster:
        """Write the configuration and start every daemon; returns when the node is idle."""
        t0 = time.monotonic()
        self.write_config()
        run = self.path("run")
        self._start("munged", [
            which("munged"), "--foreground", "--force",
            f"--key-file={self.path('munge', 'munge.key')}", f"--socket={run / 'munge.socket'}",
            f"--pid-file={run / 'munged.pid'}", f"--log-file={self.path('log', 'munged.log')}",
            f"--seed-file={self.path('munge', 'munged.seed')}",
        ])
        install_db = subprocess.run(
            [which("mariadb-install-db"), "--no-defaults", f"--datadir={self.path('db', 'data')}",
             "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"],
            capture_output=True, text=True, env=self.env,
        )
        if install_db.returncode != 0:
            raise RuntimeError(f"mariadb-install-db: {install_db.stdout}{install_db.stderr}")
        self._start("mariadbd", [
            which("mariadbd"), "--no-defaults", f"--datadir={self.path('db', 'data')}",
            "--user=root", "--bind-address=127.0.0.1", f"--port={self.ports['db']}",
            f"--socket={run / 'mysqld.sock'}", f"--pid-file={run / 'mysqld.pid'}",
            "--skip-name-resolve", f"--init-file={self.path('db', 'init.sql')}",
            f"--log-error={self.path('log', 'mariadbd.log')}", "--innodb-buffer-pool-size=64M",
        ])
        wait_for(lambda: self._alive("munged") and run.joinpath("munge.socket").exists(), "munged")
        wait_for(lambda: self._alive("mariadbd") and listening(self.ports["db"]), "MariaDB",
                 log=self.path("log", "mariadbd.log"))
        self._start("slurmdbd", [which("slurmdbd"), "-D"])
        wait_for(lambda: self._alive("slurmdbd") and listening(self.ports["dbd"]), "slurmdbd",
                 log=self.path("log", "slurmdbd.log"))
        self._start("slurmctld", [which("slurmctld"), "-D", "-i"])
        wait_for(lambda: self._alive("slurmctld") and listening(self.ports["ctld"]), "slurmctld",
                 log=self.path("log", "slurmctld.log"))
        self._start("slurmd", [which("slurmd"), "-D"])
        wait_for(lambda: self._alive("slurmd") and self.node_state() == "idle", "the node",
                 log=self.path("log", "slurmd.log"), every=0.5)
        self.timings["start_s"] = time.monotonic() - t0
        return self

    def stop(self) -> list[str]:
        """Cancel every job, stop the daemons; the processes of the cluster still left (none)."""
        if "slurmctld" in self.procs and self.procs["slurmctld"].poll() is None:
            self.run(["scancel", "--full", f"--partition={PARTITION}"], check=False)
            try:
                wait_for(lambda: not self.queue(), "an empty queue", timeout=30, every=0.5)
            except (TimeoutError, RuntimeError, subprocess.SubprocessError):
                pass
        for name in ("slurmd", "slurmctld", "slurmdbd", "mariadbd", "munged"):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        left = self.processes()
        for pid, _ in left:  # job steps of this cluster that outlived slurmd
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return [f"{pid} {cmd}" for pid, cmd in left]

    def processes(self) -> list[tuple[int, str]]:
        """(pid, command line) of every process started for this cluster (SLURM_CONF is ours)."""
        mark = f"SLURM_CONF={self.conf}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if mark in (entry / "environ").read_bytes().split(b"\0"):
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found.append((int(entry.name), cmd.strip()))
            except OSError:
                continue
        return found

    def task_processes(self, array_job: str, task: int, program: str) -> list[int]:
        """Pids of the processes of one array task that run `program` (srun's child, not srun)."""
        want = {f"SLURM_ARRAY_JOB_ID={array_job}".encode(), f"SLURM_ARRAY_TASK_ID={task}".encode()}
        pids = []
        for pid, _ in self.processes():
            try:
                environ = set(Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"))
                argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
            except OSError:
                continue
            if want <= environ and argv0 == program:
                pids.append(pid)
        return pids

    # --- the client commands --------------------------------------------------------------------
    def run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
        """A Slurm client command against this cluster."""
        out = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {out.stderr.strip()}")
        return out

    def node_state(self) -> str:
        """The node's state in sinfo (idle, mixed, allocated, down, ...)."""
        out = self.run(["sinfo", "-h", "-N", "-o", "%T"], check=False)
        return out.stdout.strip().rstrip("*") if out.returncode == 0 else ""

    def queue(self) -> list[tuple[str, str]]:
        """(job id, state) of every job in squeue (array tasks one by one)."""
        out = self.run(["squeue", "-h", "-r", "-o", "%i %T"])
        return [tuple(line.split()) for line in out.stdout.splitlines() if line.strip()]

    def accounting(self, job: str) -> dict[str, str]:
        """{job id: state} of a job's records in sacct (array tasks and steps)."""
        out = self.run(["sacct", "-n", "-P", "-o", "JobID,State", "-j", job])
        return dict(line.split("|", 1) for line in out.stdout.splitlines() if "|" in line)


if __name__ == "__main__":  # `python3 -m tests.integration.slurm_cluster`: what .ci/run installs
    print(" ".join(missing_packages()))
