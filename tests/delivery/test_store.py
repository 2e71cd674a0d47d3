"""The JSON state file of the command line."""

import threading

import pytest

from recouvrement.delivery.errors import DeliveryInputError
from recouvrement.delivery.store import JsonStateStore, SendingRecord, Step


def test_a_record_survives_a_new_store_on_the_same_file(tmp_path):
    path = tmp_path / "sub" / "state.json"
    JsonStateStore(path).save(
        SendingRecord("MED-1", "maileva", Step.CREATED, "s-1", {"recipient_id": "r-1"})
    )
    record = JsonStateStore(path).load("MED-1")
    assert record == SendingRecord("MED-1", "maileva", Step.CREATED, "s-1", {"recipient_id": "r-1"})
    assert JsonStateStore(path).load("MED-2") is None
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.lock"]


def test_saves_from_many_threads_are_all_kept(tmp_path):
    store = JsonStateStore(tmp_path / "state.json")
    threads = [
        threading.Thread(target=store.save, args=(SendingRecord(f"MED-{n}", "ar24"),))
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(store.load(f"MED-{n}") is not None for n in range(20))


def test_a_corrupt_state_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with pytest.raises(DeliveryInputError, match=r"state\.json » illisible"):
        JsonStateStore(path).load("MED-1")
