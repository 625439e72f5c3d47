"""Fixtures: one dtx for the whole session (packaged jar, embedded PostgreSQL in a fresh folder), one recording
participant service, and per test a namespaced view of that participant."""

import os
import shutil

import pytest

from harness import Busi, DtxProcess, DtxReader, Participant

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_JAR = os.path.join(HERE, "..", "..", "target", "quarkus-app", "quarkus-run.jar")


@pytest.fixture(scope="session")
def dtx(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("dtx"))
    port = int(os.environ.get("DTX_CONFORMANCE_PORT") or 36789)
    process = DtxProcess(os.environ.get("DTX_JAR") or DEFAULT_JAR, workdir, port=port)
    try:
        process.start(ready_timeout=90)
    except RuntimeError as e:
        pytest.exit("could not start dtx: %s" % e, returncode=3)
    yield process
    process.stop()
    # The log stays in pytest's temporary folder for inspection; the database files do not.
    shutil.rmtree(process.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def participant():
    p = Participant()
    p.start()
    yield p
    p.stop()


@pytest.fixture(scope="session")
def dtm(dtx):
    """The server URL exactly as a dtmcli user passes it to Saga/Msg/gen_gid."""
    return dtx.api


@pytest.fixture
def busi(participant, request, dtx):
    yield Busi(participant, request.node.name)
    # A test must never pass against a dtx that died (or against another server on the same port).
    dtx.assert_alive()


@pytest.fixture(scope="session")
def reader(dtx, participant):
    return DtxReader(dtx, participant)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing test, attach the tail of dtx's log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "dtx" in item.funcargs:
        report.sections.append(("dtx log", item.funcargs["dtx"].log_tail(40)))
