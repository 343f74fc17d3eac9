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


@dataclass(frozen=True)
class Loose:
    id: int
    name: str | None
    size: float | None


LOOSE = [Column(lambda: "Id", lambda r: r.id, numeric=True),
         Column(lambda: "Name", lambda r: r.name),
         Column(lambda: "Size", lambda r: r.size, numeric=True)]


def _sorted_ids(model: RecordTableModel[Loose], column: int, order: Qt.SortOrder) -> list[int]:
    proxy = RecordProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(column, order)
    return [proxy.record(r).id for r in range(proxy.rowCount())]


def test_sorting_orders_text_case_blind_none_first_and_keeps_ties_stable() -> None:
    rows = [Loose(0, "beta", 2.0), Loose(1, None, None), Loose(2, "Alpha", 1.5),
            Loose(3, "alpha", None), Loose(4, "BETA", -1.0), Loose(5, "gamma", 2.0)]
    cold: RecordTableModel[Loose] = RecordTableModel(LOOSE, key=lambda r: r.id)
    cold.set_records(rows)
    up, down = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    assert _sorted_ids(cold, 1, up) == [1, 2, 3, 0, 4, 5]
    assert _sorted_ids(cold, 2, up) == [1, 3, 4, 2, 0, 5]
    assert _sorted_ids(cold, 1, down) == [5, 4, 0, 3, 2, 1]
    # values gathered in idle slices give the same order as values read on the click
    warm: RecordTableModel[Loose] = RecordTableModel(LOOSE, key=lambda r: r.id)
    warm.set_records(rows)
    while warm.warm_sort_values(2) or warm.warm_haystacks(2):
        pass
    assert not warm.warming()
    for column in range(3):
        for order in (up, down):
            assert _sorted_ids(warm, column, order) == _sorted_ids(cold, column, order)
    warm.upsert(Loose(6, "aardvark", 0.0))  # a change forgets the gathered values
    assert warm.warming()
    assert _sorted_ids(warm, 1, up)[:2] == [1, 6]


def test_sorting_the_same_column_twice_does_no_work_until_a_row_changes() -> None:
    model = make_model(50)
    proxy = RecordProxyModel()
    proxy.setSourceModel(model)
    layouts: list[int] = []
    proxy.layoutChanged.connect(lambda *_: layouts.append(1))
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    assert len(layouts) == 1
    model.upsert(Seat(3, "user3", 99.0))
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    assert len(layouts) == 2 and proxy.record(proxy.rowCount() - 1).id == 3
