"""MSG (2-phase message) through the unmodified PyPI client dtmcli 1.7.7.0 (module dtmcli.msg) against dtx.

The client has prepare, submit, set_wait_result and do_and_submit (which aborts on DTMFailureError and asks
query_prepared itself on any other error). It has no abort method of its own, so one test posts the raw abort.
timeout_to_fail and retry_interval are attributes of `Msg.trans_base`, so the coordinator's check-back is
tested with a 2 s timeout instead of the 35 s default."""

import json
import time

import pytest
import requests
from dtmcli import msg, utils

from harness import FAILURE, ONGOING, SUCCESS

PAYLOAD_1 = {"amount": 30, "user": "alice"}
PAYLOAD_2 = {"amount": 30, "user": "bob"}


def two_step_msg(dtm, busi, gid):
    return msg.Msg(dtm, gid).add(PAYLOAD_1, busi.url("TransOut")).add(PAYLOAD_2, busi.url("TransIn"))


def assert_actions_delivered(busi, gid):
    """Both actions called once, in order, one after the other, as POSTs with the client's payloads."""
    calls = [c for c in busi.calls() if c.name in ("TransOut", "TransIn")]
    assert [c.name for c in calls] == ["TransOut", "TransIn"], [str(c) for c in busi.calls()]
    for call, branch_id, payload in zip(calls, ("01", "02"), (PAYLOAD_1, PAYLOAD_2)):
        assert call.method == "POST", str(call)
        assert call.query == {"gid": gid, "trans_type": "msg", "branch_id": branch_id, "op": "action"}, str(call)
        assert call.headers.get("content-type", "").startswith("application/json"), call.headers
        assert call.body == json.dumps(payload), str(call)
    assert calls[1].started >= calls[0].finished


SUCCEED_2 = [("01", "action", "succeed"), ("02", "action", "succeed")]
PREPARED_2 = [("01", "action", "prepared"), ("02", "action", "prepared")]


def test_msg_prepare_then_submit(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    m = two_step_msg(dtm, busi, gid)
    m.prepare(busi.url("QueryPrepared"))

    q = reader.query(gid)
    assert q["transaction"]["status"] == "prepared"
    assert q["transaction"]["trans_type"] == "msg"
    assert q["transaction"]["query_prepared"] == busi.url("QueryPrepared")
    assert reader.branches(gid) == PREPARED_2
    time.sleep(0.3)
    assert busi.calls() == [], "nothing is delivered before submit"

    m.submit()
    reader.wait_status(gid, "succeed")
    assert reader.branches(gid) == SUCCEED_2
    assert_actions_delivered(busi, gid)
    assert busi.calls("QueryPrepared") == []


def test_msg_submitted_directly(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    two_step_msg(dtm, busi, gid).submit()
    reader.wait_status(gid, "succeed")
    assert reader.branches(gid) == SUCCEED_2
    assert_actions_delivered(busi, gid)


def test_msg_wait_result(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    m = two_step_msg(dtm, busi, gid).set_wait_result()
    m.prepare(busi.url("QueryPrepared"))
    m.submit()
    # No polling: the reply comes after the actions were delivered.
    assert reader.status(gid) == "succeed"
    assert_actions_delivered(busi, gid)


def test_msg_do_and_submit(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    seen = {}

    def local_transaction(barrier):
        # Runs between prepare and submit, with the barrier the client made for the msg.
        seen["barrier"] = (barrier.trans_type, barrier.gid, barrier.branch_id, barrier.op)
        seen["status"] = reader.status(gid)
        seen["calls"] = list(busi.calls())

    two_step_msg(dtm, busi, gid).do_and_submit(busi.url("QueryPrepared"), local_transaction)
    assert seen == {"barrier": ("msg", gid, "00", "msg"), "status": "prepared", "calls": []}
    reader.wait_status(gid, "succeed")
    assert_actions_delivered(busi, gid)
    assert busi.calls("QueryPrepared") == []


def test_msg_do_and_submit_aborts_on_business_failure(dtm, busi, reader):
    """The client aborts when the local transaction raises DTMFailureError: prepared → failed."""
    gid = utils.gen_gid(dtm)

    def local_transaction(barrier):
        raise utils.DTMFailureError("insufficient balance")

    with pytest.raises(utils.DTMFailureError):
        two_step_msg(dtm, busi, gid).do_and_submit(busi.url("QueryPrepared"), local_transaction)
    q = reader.query(gid)
    assert q["transaction"]["status"] == "failed"
    assert reader.branches(gid) == PREPARED_2
    time.sleep(1.5)
    assert busi.calls() == [], "an aborted msg delivers nothing"
    assert reader.status(gid) == "failed"


def test_msg_do_and_submit_unknown_error_asks_query_prepared_then_aborts(dtm, busi, reader):
    """On an error that is not a DTMFailureError the client itself asks query_prepared; 409 → it aborts."""
    gid = utils.gen_gid(dtm)
    busi.script("QueryPrepared", (409, FAILURE))

    def local_transaction(barrier):
        raise RuntimeError("connection reset")

    with pytest.raises(RuntimeError):
        two_step_msg(dtm, busi, gid).do_and_submit(busi.url("QueryPrepared"), local_transaction)
    assert reader.status(gid) == "failed"
    (check,) = busi.calls()
    assert check.name == "QueryPrepared" and check.method == "GET"
    assert check.query == {"dtm": dtm, "gid": gid, "trans_type": "msg", "branch_id": "00", "op": "msg"}


def test_msg_do_and_submit_unknown_error_asks_query_prepared_then_submits(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("QueryPrepared", (200, SUCCESS))

    def local_transaction(barrier):
        raise RuntimeError("reply lost after commit")

    with pytest.raises(RuntimeError):
        two_step_msg(dtm, busi, gid).do_and_submit(busi.url("QueryPrepared"), local_transaction)
    reader.wait_status(gid, "succeed")
    assert busi.names()[0] == "QueryPrepared"
    assert_actions_delivered(busi, gid)


def test_msg_abort_by_raw_post(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    two_step_msg(dtm, busi, gid).prepare(busi.url("QueryPrepared"))
    r = requests.post(dtm + "/abort", json={"gid": gid, "trans_type": "msg"}, timeout=5)
    assert (r.status_code, r.json()) == (200, SUCCESS), r.text
    assert reader.status(gid) == "failed"
    # A submit after the abort is refused and delivers nothing.
    with pytest.raises(utils.DTMFailureError):
        two_step_msg(dtm, busi, gid).submit()
    time.sleep(1.5)
    assert busi.calls() == []
    assert reader.status(gid) == "failed"
    assert reader.branches(gid) == PREPARED_2


def test_msg_action_failure_is_retried_until_success(dtm, busi, reader):
    """A msg cannot roll back: an action answering 409 or 500 is retried (retry_interval 1 s)."""
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (409, FAILURE), (500, {"error": "busy"}), (200, SUCCESS))
    m = two_step_msg(dtm, busi, gid)
    m.trans_base.retry_interval = 1
    m.submit()
    busi.wait_calls("TransIn", 1)
    assert reader.status(gid) == "submitted"
    reader.wait_status(gid, "succeed", timeout=20)
    assert [c.status for c in busi.calls("TransIn")] == [409, 500, 200]
    assert len(busi.calls("TransOut")) == 1
    assert reader.branches(gid) == SUCCEED_2


def prepared_msg_with_short_timeout(dtm, busi, reader, gid):
    m = two_step_msg(dtm, busi, gid)
    m.trans_base.timeout_to_fail = 2
    m.trans_base.retry_interval = 1
    m.prepare(busi.url("QueryPrepared"))
    assert reader.status(gid) == "prepared"
    return m


def assert_check_back_call(call, gid):
    assert call.name == "QueryPrepared"
    assert call.method == "GET", str(call)
    assert call.query == {"gid": gid, "trans_type": "msg", "branch_id": "00", "op": "msg"}, str(call)
    assert call.body == ""


def test_msg_check_back_success_submits(dtm, busi, reader):
    """Prepared and never submitted: after timeout_to_fail dtx asks query_prepared; 200 → delivered."""
    gid = utils.gen_gid(dtm)
    busi.script("QueryPrepared", (200, SUCCESS))
    started = time.monotonic()
    prepared_msg_with_short_timeout(dtm, busi, reader, gid)

    reader.wait_status(gid, "succeed", timeout=15)
    check = busi.calls("QueryPrepared")
    assert len(check) == 1
    assert_check_back_call(check[0], gid)
    assert check[0].started - started >= 1.9, "the check-back must wait for timeout_to_fail"
    assert busi.names() == ["QueryPrepared", "TransOut", "TransIn"]
    assert_actions_delivered(busi, gid)


def test_msg_check_back_failure_fails(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("QueryPrepared", (409, FAILURE))
    prepared_msg_with_short_timeout(dtm, busi, reader, gid)
    reader.wait_status(gid, "failed", timeout=15)
    (check,) = busi.calls()
    assert_check_back_call(check, gid)
    assert reader.branches(gid) == PREPARED_2


def test_msg_check_back_ongoing_then_success(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("QueryPrepared", (425, ONGOING), (200, SUCCESS))
    prepared_msg_with_short_timeout(dtm, busi, reader, gid)
    busi.wait_calls("QueryPrepared", 1)
    assert reader.status(gid) == "prepared"
    reader.wait_status(gid, "succeed", timeout=15)
    checks = busi.calls("QueryPrepared")
    assert [c.status for c in checks] == [425, 200]
    for c in checks:
        assert_check_back_call(c, gid)
    assert_actions_delivered(busi, gid)
