"""SAGA through the unmodified PyPI client dtmcli 1.7.7.0 (module dtmcli.saga) against dtx over HTTP.

The client has no concurrent saga that works (add_branch_order uses an attribute it never creates), so every
saga here is sequential. Its options (wait_result, retry_interval, branch_headers) are plain attributes of
`Saga.trans_base`, which the client posts as they are."""

import json
import time

import pytest
import requests
from dtmcli import saga, utils

from harness import FAILURE, SUCCESS, Reply

SUCCEED_2 = [("01", "compensate", "prepared"), ("01", "action", "succeed"),
             ("02", "compensate", "prepared"), ("02", "action", "succeed")]
ROLLED_BACK_2 = [("01", "compensate", "succeed"), ("01", "action", "succeed"),
                 ("02", "compensate", "succeed"), ("02", "action", "failed")]


def two_step_saga(dtm, busi, gid, a1=None, a2=None):
    """The DTM quick-start shape: transfer out of one account, into another."""
    a1 = a1 or {"amount": 30, "user": "alice"}
    a2 = a2 or {"amount": 30, "user": "bob"}
    return (saga.Saga(dtm, gid)
            .add(a1, busi.url("TransOut"), busi.url("TransOutRevert"))
            .add(a2, busi.url("TransIn"), busi.url("TransInRevert")))


def assert_branch_call(call, method, gid, branch_id, op, body):
    assert call.method == method, str(call)
    assert call.query == {"gid": gid, "trans_type": "saga", "branch_id": branch_id, "op": op}, str(call)
    assert call.headers.get("content-type", "").startswith("application/json"), call.headers
    assert call.body == body, "dtx must send the stored payload bytes unchanged: %s" % call


def test_saga_success(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("TransOut", Reply(200, SUCCESS, delay=0.3))
    s = two_step_saga(dtm, busi, gid)
    s.submit()

    q = reader.wait_status(gid, "succeed")
    assert q["transaction"]["gid"] == gid
    assert q["transaction"]["trans_type"] == "saga"
    assert reader.branches(gid) == SUCCEED_2

    out, into = busi.calls()
    assert [out.name, into.name] == ["TransOut", "TransIn"]
    assert_branch_call(out, "POST", gid, "01", "action", json.dumps({"amount": 30, "user": "alice"}))
    assert_branch_call(into, "POST", gid, "02", "action", json.dumps({"amount": 30, "user": "bob"}))
    # Sequential: the second action starts only after the first one answered.
    assert into.started >= out.finished
    assert busi.calls("TransOutRevert") == [] and busi.calls("TransInRevert") == []

    # The stored branches keep the client's payloads and URLs.
    by_key = {(b["branch_id"], b["op"]): b for b in q["branches"]}
    assert by_key[("01", "action")]["url"] == busi.url("TransOut")
    assert by_key[("02", "compensate")]["url"] == busi.url("TransInRevert")


def test_saga_rollback_when_second_action_fails(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (409, FAILURE))
    two_step_saga(dtm, busi, gid).submit()

    q = reader.wait_status(gid, "failed")
    assert reader.branches(gid) == ROLLED_BACK_2
    assert busi.names() == ["TransOut", "TransIn", "TransInRevert", "TransOutRevert"]
    out, into, into_revert, out_revert = busi.calls()
    assert_branch_call(into_revert, "POST", gid, "02", "compensate", json.dumps({"amount": 30, "user": "bob"}))
    assert_branch_call(out_revert, "POST", gid, "01", "compensate", json.dumps({"amount": 30, "user": "alice"}))
    # Compensation runs in reverse, one after the other.
    assert into_revert.started >= into.finished
    assert out_revert.started >= into_revert.finished
    reason = q["transaction"]["rollback_reason"]
    assert busi.url("TransIn") in reason, "rollback_reason should name the failed action: %r" % reason


def test_saga_failure_word_in_200_body_is_failure(dtm, busi, reader):
    """A 200 whose body carries FAILURE is a failure (DTM's pre-1.10 convention, still honoured)."""
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (200, FAILURE))
    two_step_saga(dtm, busi, gid).submit()
    reader.wait_status(gid, "failed")
    assert reader.branches(gid) == ROLLED_BACK_2
    assert busi.names() == ["TransOut", "TransIn", "TransInRevert", "TransOutRevert"]


def test_saga_wait_result_success_returns_after_the_branches(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    s = two_step_saga(dtm, busi, gid)
    s.trans_base.wait_result = True
    s.submit()
    # No polling: with wait_result the reply comes after processing.
    assert reader.status(gid) == "succeed"
    assert reader.branches(gid) == SUCCEED_2
    assert busi.names() == ["TransOut", "TransIn"]


def test_saga_wait_result_rollback_raises_failure(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (409, FAILURE))
    s = two_step_saga(dtm, busi, gid)
    s.trans_base.wait_result = True
    with pytest.raises(utils.DTMFailureError):
        s.submit()
    assert reader.status(gid) == "failed"
    assert reader.branches(gid) == ROLLED_BACK_2
    assert busi.names() == ["TransOut", "TransIn", "TransInRevert", "TransOutRevert"]


def test_saga_compensation_failure_and_error_are_retried_not_terminal(dtm, busi, reader):
    """A compensation can never fail: 409 and 500 are retried (retry_interval 1 s) until it answers 200."""
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (409, FAILURE))
    busi.script("TransInRevert", (409, FAILURE), (500, {"error": "db down"}), (200, SUCCESS))
    s = two_step_saga(dtm, busi, gid)
    s.trans_base.retry_interval = 1
    s.submit()

    busi.wait_calls("TransInRevert", 1)
    assert reader.status(gid) == "aborting"
    assert busi.calls("TransOutRevert") == [], "step 1 must not be compensated before step 2"

    reader.wait_status(gid, "failed", timeout=20)
    assert [c.status for c in busi.calls("TransInRevert")] == [409, 500, 200]
    assert len(busi.calls("TransOutRevert")) == 1
    assert busi.calls("TransOutRevert")[0].started >= busi.calls("TransInRevert")[-1].finished
    assert reader.branches(gid) == ROLLED_BACK_2
    assert len(busi.calls("TransOut")) == 1 and len(busi.calls("TransIn")) == 1


def test_saga_action_error_retried_after_reset_next_cron_time(dtm, busi, reader):
    """An action answering 500 is retried, not rolled back. With the default 10 s interval (doubled after the
    error) the retry would be 20 s away; the operator endpoint resetNextCronTime makes it due at once."""
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (500, {"error": "overloaded"}), (200, SUCCESS))
    two_step_saga(dtm, busi, gid).submit()

    busi.wait_calls("TransIn", 1)
    time.sleep(0.5)
    assert reader.status(gid) == "submitted"
    assert len(busi.calls("TransIn")) == 1

    r = reader.reset_next_cron_time(gid)
    assert r.status_code == 200 and r.json() == SUCCESS, r.text
    started = time.monotonic()
    reader.wait_status(gid, "succeed", timeout=8)
    assert time.monotonic() - started < 8
    assert [c.status for c in busi.calls("TransIn")] == [500, 200]
    assert len(busi.calls("TransOut")) == 1, "a succeeded action is never called again"
    assert busi.calls("TransOutRevert") == [] and busi.calls("TransInRevert") == []
    assert reader.branches(gid) == SUCCEED_2


def test_saga_branch_headers_reach_every_call(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    busi.script("TransIn", (409, FAILURE))
    s = two_step_saga(dtm, busi, gid)
    s.trans_base.branch_headers = {"X-Tenant": "acme", "Authorization": "Bearer py-token"}
    s.submit()
    reader.wait_status(gid, "failed")
    calls = busi.calls()
    assert [c.name for c in calls] == ["TransOut", "TransIn", "TransInRevert", "TransOutRevert"]
    for c in calls:
        assert c.headers.get("x-tenant") == "acme", str(c)
        assert c.headers.get("authorization") == "Bearer py-token", str(c)


def test_saga_submit_of_finished_transaction_is_refused(dtm, busi, reader):
    gid = utils.gen_gid(dtm)
    s = two_step_saga(dtm, busi, gid)
    s.submit()
    reader.wait_status(gid, "succeed")
    with pytest.raises(utils.DTMFailureError):
        two_step_saga(dtm, busi, gid).submit()
    time.sleep(0.5)
    assert reader.status(gid) == "succeed"
    assert busi.names() == ["TransOut", "TransIn"]


def test_saga_body_as_the_client_sends_it_is_accepted(dtm, busi, reader):
    """Pins what dtmcli 1.7.7.0 puts on the wire, so that a change of client is noticed: nulls for unset
    strings, request_timeout 8, a passthrough_headers list, and zeros."""
    gid = utils.gen_gid(dtm)
    s = two_step_saga(dtm, busi, gid)
    body = s.trans_base.__dict__
    assert body["custom_data"] is None and body["query_prepared"] is None and body["protocol"] is None
    assert body["request_timeout"] == 8 and body["passthrough_headers"] == []
    assert body["timeout_to_fail"] == 0 and body["retry_interval"] == 0
    r = requests.post(dtm + "/submit", json=body, timeout=8)
    assert (r.status_code, r.json()) == (200, SUCCESS), r.text
    reader.wait_status(gid, "succeed")
