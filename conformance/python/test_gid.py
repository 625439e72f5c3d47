"""gen_gid of dtmcli 1.7.7.0: GET /api/dtmsvr/newGid, read `gid` from the reply."""

import requests
from dtmcli import utils


def test_gen_gid_returns_fresh_string_gids(dtm):
    gids = [utils.gen_gid(dtm) for _ in range(20)]
    assert all(isinstance(g, str) and g for g in gids), gids
    assert len(set(gids)) == len(gids), "every gid must be new"


def test_new_gid_reply_shape(dtm):
    r = requests.get(dtm + "/newGid", timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["dtm_result"] == "SUCCESS"
    assert all(isinstance(v, str) for v in body.values()), body
