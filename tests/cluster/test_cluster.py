"""A short exam day (bench/cluster.py) on a real cluster: nginx over two gunicorn nodes, Redis,
a job worker and PostgreSQL, with a node SIGKILLed and PostgreSQL restarted under load."""
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from bench import cluster as exam_day
from bench.topology import Cluster
from tests.conftest import TEST_DB

pytestmark = pytest.mark.skipif(TEST_DB != "postgresql", reason=(
    "the cluster runs on its own PostgreSQL: this test runs in the suite's PostgreSQL pass"))

TRAINEES = 8


def test_a_node_kill_and_a_database_restart_lose_no_acknowledged_save_and_grade_once():
    folder = Path(tempfile.mkdtemp(prefix="hotline-cluster-test-"))
    cluster = Cluster(folder, nodes=2, job_workers=1, port=0, gunicorn_workers=1, threads=4)
    records = exam_day.Records(cluster.database_url, cluster.state["secret_key"])
    try:
        cluster.start(prepare=records.prepare)
        # each gunicorn master its own control socket (gunicorn's default path is one per user);
        # a master opens it after it serves, so a node may be a moment behind
        sockets = []
        for _ in range(100):
            sockets = sorted(path.name for path in folder.glob("*.ctl"))
            if len(sockets) == 2:
                break
            time.sleep(0.1)
        assert sockets == ["node1.ctl", "node2.ctl"]
        report = exam_day.run(cluster, records, trainees=TRAINEES, staff=2, save_every=0.25, kill_at=2,
                              restart_pg_at=5, down_for=1, stagger=1, limit=90)
    finally:
        records.close()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    assert report["trainees_unfinished"] == 0, report
    assert report["saves_found"] == report["saves_acknowledged"] > 0, report
    assert (report["graded_once"], report["graded_twice_or_more"], report["not_graded"]) == (TRAINEES, 0, 0), report
    assert report["double_submits"] == TRAINEES
    assert report["passed"] == report["certificates_issued_once"] == report["certificate_issue_audits"] == TRAINEES
    assert report["double_certificates"] == 0
    assert [fault["recovery_s"] is not None for fault in report["faults"]] == [True, True], report
