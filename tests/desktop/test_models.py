"""The item models: qtmodeltester on each, minimal change signals, bulk sort and filter."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt

from desktop.models import Column, RecordProxyModel, RecordTableModel


@dataclass(frozen=True)
class Seat:
    id: int
    holder: str
    hours: float


COLUMNS = [Column(lambda: "Id", lambda s: s.id, numeric=True),
           Column(lambda: "Holder", lambda s: s.holder),
           Column(lambda: "Hours", lambda s: s.hours, lambda s: f"{s.hours:.1f}", numeric=True)]


def make_model(n: int = 20) -> RecordTableModel[Seat]:
    model: RecordTableModel[Seat] = RecordTableModel(COLUMNS, key=lambda s: s.id)
    model.set_records([Seat(i, f"user{i % 7}", (i * 37) % 11 / 2) for i in range(n)])
    return model


def test_table_model_passes_modeltester(qtmodeltester: object) -> None:
    model = make_model()
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    model.set_records([*model.records[3:], Seat(99, "new", 1.0)])
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]


def test_proxy_model_passes_modeltester(qtmodeltester: object) -> None:
    model = make_model()
    proxy = RecordProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    proxy.set_filter_text("user3")
    qtmodeltester.check(proxy, force_py=True)  # type: ignore[attr-defined]
    model.upsert(Seat(50, "user3", 4.0))
    qtmodeltester.check(proxy, force_py=True)  # type: ignore[attr-defined]


def test_one_changed_row_is_one_data_changed_not_a_reset() -> None:
    model = make_model(5)
    events: list[str] = []
    model.modelReset.connect(lambda: events.append("reset"))
    model.rowsInserted.connect(lambda *a: events.append(f"insert {a[1]}-{a[2]}"))
    model.rowsRemoved.connect(lambda *a: events.append(f"remove {a[1]}-{a[2]}"))
    model.dataChanged.connect(lambda tl, br, *r: events.append(f"changed {tl.row()}"))
    records = model.records
    records[2] = Seat(2, "someone else", 9.0)
    model.set_records([*records, Seat(7, "late", 1.0)])
    assert events == ["changed 2", "insert 5-5"]
    events.clear()
    model.set_records([r for r in model.records if r.id not in (1, 2)])
    assert events == ["remove 1-2"]
    assert [r.id for r in model.records] == [0, 3, 4, 7]


def test_proxy_sorts_filters_and_places_new_rows_in_order() -> None:
    model = make_model(30)
    proxy = RecordProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    hours = [proxy.record(r).hours for r in range(proxy.rowCount())]
    assert hours == sorted(hours)
    proxy.set_filter_text("USER2")
    assert {proxy.record(r).holder for r in range(proxy.rowCount())} == {"user2"}
    model.upsert(Seat(100, "user2", 2.25))
    model.upsert(Seat(101, "nobody", 0.0))  # filtered out
    hours = [proxy.record(r).hours for r in range(proxy.rowCount())]
    assert hours == sorted(hours) and 2.25 in hours
    assert all(proxy.record(r).holder == "user2" for r in range(proxy.rowCount()))
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    ids = [proxy.record(r).id for r in range(proxy.rowCount())]
    assert ids == sorted(ids, reverse=True)
    source = proxy.mapToSource(proxy.index(0, 1))
    assert model.record(source.row()).id == ids[0]
    assert proxy.mapFromSource(source) == proxy.index(0, 1)
    assert not proxy.index(0, 0, proxy.index(0, 0)).isValid()
    assert proxy.parent(proxy.index(0, 0)) == QModelIndex()
