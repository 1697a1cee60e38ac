"""How bench/cluster.py reads its probe: recovered once three probes in a row are answered."""
from bench.cluster import Fault, recovery_seconds

FAULT = Fault("PostgreSQL restart -m fast", at=100.0)


def test_a_probe_that_never_failed_means_no_interruption():
    assert recovery_seconds(FAULT, [(100.2, True), (100.5, True), (100.7, True)], until=200) == 0.0


def test_recovery_is_counted_to_the_first_of_three_answers_in_a_row():
    probes = [(99.0, False), (100.2, False), (101.0, True), (102.0, False), (103.5, True), (104.0, True),
              (104.5, True), (105.0, False)]
    assert recovery_seconds(FAULT, probes, until=200) == 3.5  # before the fault and a later blip do not count


def test_a_cluster_that_never_serves_again_has_no_recovery_time():
    assert recovery_seconds(FAULT, [(100.2, False), (101.0, True), (101.2, True)], until=200) is None
    assert recovery_seconds(FAULT, [(100.2, False), (300.0, True)] * 3, until=200) is None
