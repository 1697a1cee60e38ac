"""bench/http_cpu.py measures under the production recipe's gunicorn settings and reads CPU time
the way it says (the bench itself runs for minutes: not in the suite)."""
import os
import time

from bench.http_cpu import PROCFILE, gunicorn_command, server_cpu_seconds


def test_gunicorn_runs_with_the_procfile_settings_on_loopback():
    web = PROCFILE.read_text().split("web:", 1)[1].splitlines()[0].split()
    command = gunicorn_command(8123, "bench.pages:bare_app()")
    assert command[0].endswith("/gunicorn")
    assert command[-1] == "bench.pages:bare_app()"
    assert command[command.index("--bind") + 1] == "127.0.0.1:8123"
    settings = [word for word in web[1:-1] if word != web[web.index("--bind") + 1]]
    assert [word for word in command[1:-1] if word != "127.0.0.1:8123"] == settings
    assert {"--workers", "--threads", "--preload", "--keep-alive"} <= set(settings)


def test_server_cpu_counts_what_the_process_spends():
    before = server_cpu_seconds(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.1:
        pass
    assert server_cpu_seconds(os.getpid()) - before >= 0.05
