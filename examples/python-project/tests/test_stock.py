from inventory.stock import Item, cheapest, describe, restock, total_value


def test_total_value() -> None:
    items = [Item("pen", 1.5, 10), Item("book", 12.0, 2)]
    assert total_value(items) == 39.0


def test_restock_adds_quantity() -> None:
    assert restock(Item("pen", 1.5, 10), 5).quantity == 15


def test_describe() -> None:
    assert describe(Item("pen", 1.5, 10)) == "pen: 10 at 1.50"


def test_cheapest() -> None:
    items = [Item("pen", 1.5, 10), Item("book", 12.0, 2)]
    assert cheapest(items).name == "pen"
