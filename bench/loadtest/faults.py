"""The fault run of `make loadtest`: PostgreSQL stopped and started under gunicorn.

Starts a throwaway PostgreSQL cluster (Debian's initdb and pg_ctl, as the `postgres` user
when run as root) on a free port in a temporary folder -- never the shared server on 5432 --,
migrates it, starts gunicorn with the production settings and `manage.py task_worker`, then
for each way of holding connections (persistent, pooled):

1. checks that the wall partial, an API call and a task work;
2. stops the cluster: the wall partial, the API and /healthz must answer a clean 503 with
   Retry-After (no 500, no traceback in the log);
3. starts the cluster: the wall partial, the API and a newly queued task must all succeed
   within RECOVERY_SECONDS, with the same gunicorn workers and the same task worker.

Nothing is skipped: if the cluster cannot be started the run fails and says why.
"""

from __future__ import annotations

import glob
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.loadtest.common import PY, ROOT, Gunicorn, app_env, free_port, prepare_app

RECOVERY_SECONDS = 10.0
POOL_RECOVERY_SECONDS = 30.0


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            raise SystemExit(
                "FAILED: no /usr/lib/postgresql/*/bin/pg_ctl: install Debian's postgresql "
                "(the Makefile's `make postgres` needs it too)."
            )
        self.bin = Path(found[-1]).parent
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command: str) -> None:
        # From "/": the postgres user may not enter the checkout ("could not change directory").
        subprocess.run(
            [*self.as_postgres, *command], check=True, stdout=subprocess.DEVNULL, cwd="/"
        )

    def create(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


class Browser:
    """A signed-in person: cookies and the CSRF token, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base + path, data=body, headers={"X-CSRFToken": token or "", **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def sign_in(self, username: str, password: str) -> None:
        self.request("/accounts/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        status, _, _ = self.request(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token or ""},
        )
        if status != 200:  # urllib follows the redirect to the home page
            raise SystemExit(f"FAILED: could not sign in as {username} ({status})")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def until(seconds: float, attempt: Callable[[], str | None]) -> float:
    """Retry `attempt` (None = success, else why not) until it succeeds; the time it took."""
    began = time.monotonic()
    why: str | None = "not tried"
    while time.monotonic() - began < seconds:
        why = attempt()
        if why is None:
            return time.monotonic() - began
        time.sleep(0.25)
    raise AssertionError(f"not recovered within {seconds:.0f} s: {why}")


def task_succeeds(timeout: float) -> float:
    """Queue a real task (a tripwire alarm for no tripwire: it reads the database and returns
    0) and wait for the worker to finish it."""
    from django.db import close_old_connections, connection
    from django_tasks_db.models import DBTaskResult

    from tripwires.tasks import send_alarm_email

    result_id: list[str] = []

    def attempt() -> str | None:
        try:
            close_old_connections()
            connection.close()
            if not result_id:
                result_id.append(str(send_alarm_email.enqueue(0, "fault run", "check").id))
            status = DBTaskResult.objects.get(id=result_id[0]).status
        except Exception as exc:  # the database may still be starting
            return f"{type(exc).__name__}: {str(exc).strip()[:120]}"
        return None if status == "SUCCESSFUL" else f"task {status}"

    return until(timeout, attempt)


def one_restart(
    cluster: Cluster,
    gunicorn: Gunicorn,
    worker: subprocess.Popen[bytes],
    data: dict[str, object],
    label: str,
    recovery: float,
) -> None:
    team = data["teams"][0]  # type: ignore[index]
    wall = f"/wall/{team['screens'][0]}/content/"
    api = f"/api/v1/teams/{team['slug']}/focus-items/"
    person = Browser(gunicorn.url)
    person.sign_in(team["editors"][0], str(data["password"]))

    def all_fine() -> str | None:
        for path, headers in (
            (wall, {"HX-Request": "true"}),
            (api, {"Accept": "application/json"}),
            ("/healthz", {}),
        ):
            status, _, _ = person.request(path, headers=headers)
            if status != 200:
                return f"{path} answered {status}"
        return None

    until(5, all_fine)
    task_succeeds(timeout=15)
    workers = gunicorn.worker_pids()

    cluster.stop()
    for path, headers, kind in (
        (wall, {"HX-Request": "true"}, "text/html"),
        (api, {"Accept": "application/json"}, "application/json"),
        ("/healthz", {}, "application/json"),
    ):
        status, body, answer = person.request(path, headers=headers)
        check(status == 503, f"{label}: {path} answered {status} while the database was down")
        check(answer.get("Retry-After") is not None, f"{label}: {path} 503 without Retry-After")
        check(answer.get("Content-Type", "").startswith(kind), f"{label}: {path} is not {kind}")
        check(b"Traceback" not in body, f"{label}: {path} showed a traceback")
    api_answer = json.loads(person.request(api, headers={"Accept": "application/json"})[1])
    check(api_answer.get("code") == "database_unavailable", f"{label}: API 503 body {api_answer}")
    time.sleep(2)  # a short outage, with the task worker polling meanwhile

    cluster.start()
    back = time.monotonic()
    web = until(recovery, all_fine)
    task = task_succeeds(timeout=recovery)
    total = time.monotonic() - back
    check(worker.poll() is None, f"{label}: the task worker exited ({worker.returncode})")
    check(gunicorn.worker_pids() == workers, f"{label}: gunicorn workers were replaced")
    check(not gunicorn.incidents(), f"{label}: a gunicorn worker was killed")
    check(total < recovery, f"{label}: recovery took {total:.1f} s")
    print(
        f"{label}: during the outage wall, API and /healthz answered 503 with Retry-After; "
        f"after the restart the wall and the API answered in {web:.1f} s and a task ran "
        f"within {task:.1f} s more; same workers"
    )


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="focusboard-faults-"))
    cluster = Cluster(folder)
    env = app_env(cluster.url, folder)
    processes: list[Gunicorn] = []
    worker: subprocess.Popen[bytes] | None = None
    failed = True
    try:
        cluster.create()
        cluster.start()
        prepare_app(env)
        subprocess.run(
            [PY, "-m", "bench.loadtest.seed", str(folder / "data.json"), "--small"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        data = json.loads((folder / "data.json").read_text())
        os.environ.update(env)  # this process queues tasks and reads their results
        import django

        django.setup()
        worker_log = (folder / "worker.log").open("ab")
        worker = subprocess.Popen(
            [PY, "manage.py", "task_worker", "--interval", "0.5", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=worker_log,
            start_new_session=True,
        )
        for label, extra, recovery in (
            ("persistent connections (CONN_MAX_AGE=60)", {}, RECOVERY_SECONDS),
            # The pool reconnects with a growing back-off: allowed longer, and measured.
            ("psycopg pool (DJANGO_DB_POOL=1:2)", {"DJANGO_DB_POOL": "1:2"}, POOL_RECOVERY_SECONDS),
        ):
            log = folder / f"gunicorn-{len(processes)}.log"
            gunicorn = Gunicorn({**env, **extra}, log, workers=2, port=free_port())
            processes.append(gunicorn)
            gunicorn.start()
            one_restart(cluster, gunicorn, worker, data, label, recovery)
            gunicorn.stop()
        for gunicorn in processes:
            log = gunicorn.log.read_text(errors="replace")
            check("Traceback" not in log, "gunicorn's log has a traceback:\n" + log[-2000:])
        worker_text = (folder / "worker.log").read_text(errors="replace")
        check("Database unavailable" in worker_text, "the task worker did not notice the outage")
        failed = False
        print("fault run passed")
        return 0
    except AssertionError as exc:
        print(f"FAILED: {exc}")
        for name in ("gunicorn-0.log", "gunicorn-1.log", "worker.log"):
            if (folder / name).exists():
                print(
                    f"--- the end of {name}:\n"
                    + (folder / name).read_text(errors="replace")[-2000:]
                )
        return 1
    finally:
        for gunicorn in processes:
            gunicorn.stop()
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        if cluster.running():
            cluster.stop("immediate")
        if failed and (folder / "postgres.log").exists():
            print("--- the end of postgres.log:\n" + (folder / "postgres.log").read_text()[-1500:])
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
