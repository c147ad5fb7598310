"""A small evaluator for the DAX the Power BI model's measures are written in.

It reads the measures' text, as Power BI would, and evaluates them over the
published tables under a filter context, so a test can compare what a card
shows with what the number is meant to be. It knows the few functions the
measures use and Power BI's rules for them: BLANK propagates, DIVIDE by
BLANK or zero is BLANK, SUM, MAX and COUNT of nothing are BLANK, a dimension
filters every table related to it (one direction), KEEPFILTERS narrows the
context and REMOVEFILTERS clears a dimension's filters. A context is the
slicers' selections, plus (under VISUAL) the dimensions the visual itself
groups by, whose filters ALLSELECTED clears while it keeps the slicers'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>\"[^\"]*\")"
    r"|(?P<measure>\[[^\]]+\])|(?P<column>\w+\[[^\]]+\])|(?P<name>\w+)"
    r"|(?P<op>[(),=]))"
)

Row = dict[str, object]
# (table, column) -> the one value a slicer selected, or the visual's row
Context = dict[tuple[str, str], object]
# The context's entry naming the dimension tables the visual's rows group by
# (a table by segment): their filters are the visual's, not a slicer's.
VISUAL = ("visual", "grouped by")


@dataclass
class Model:
    """The published tables, how dimensions relate to them, and the measures."""

    tables: dict[str, list[Row]]
    # (table, dimension table) -> the key column they share
    relationships: dict[tuple[str, str], str]
    measures: dict[str, str]

    def rows(self, table: str, context: Context) -> list[Row]:
        """The table's rows a context leaves: its own filters and those of
        every dimension related to it."""
        kept = self.tables[table]
        for (filtered, column), value in context.items():
            if (filtered, column) == VISUAL:
                continue
            if filtered == table:
                kept = [r for r in kept if r[column] == value]
                continue
            key = self.relationships.get((table, filtered))
            if key is None:
                continue
            allowed = {r[key] for r in self.tables[filtered] if r[column] == value}
            kept = [r for r in kept if r[key] in allowed]
        return kept

    def measure(self, name: str, context: Context) -> object:
        return evaluate(parse(self.measures[name]), self, context)


def tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read DAX at {text[position:]!r}")
        found.append(next((k, v) for k, v in match.groupdict().items() if v))
        position = match.end()
    return found


def parse(text: str):
    """DAX text as nested tuples: ("call", NAME, args), ("measure", name), ..."""
    items = tokens(text)
    position = 0

    def expression():
        nonlocal position
        left = term()
        if position < len(items) and items[position] == ("op", "="):
            position += 1
            return ("equals", left, term())
        return left

    def term():
        nonlocal position
        kind, value = items[position]
        position += 1
        if kind == "number":
            return ("value", float(value))
        if kind == "string":
            return ("value", value[1:-1])
        if kind == "measure":
            return ("measure", value[1:-1])
        if kind == "column":
            table, column = value[:-1].split("[")
            return ("column", table, column)
        if kind == "name" and position < len(items) and items[position] == ("op", "("):
            position += 1
            args = []
            while items[position] != ("op", ")"):
                args.append(expression())
                if items[position] == ("op", ","):
                    position += 1
            position += 1
            return ("call", value.upper(), args)
        if kind == "name" and value.upper() == "NOT":
            return ("call", "NOT", [term()])  # NOT x, without parentheses
        if kind == "name":
            return ("table", value)
        raise ValueError(f"unexpected {value!r} in {text!r}")

    tree = expression()
    if position != len(items):
        raise ValueError(f"trailing DAX in {text!r}")
    return tree


def evaluate(node, model: Model, context: Context):
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "measure":
        return model.measure(node[1], context)
    if kind != "call":
        raise ValueError(f"cannot evaluate {node!r} as a value")
    name, args = node[1], node[2]
    if name in FUNCTIONS:
        return FUNCTIONS[name](args, model, context)
    raise ValueError(f"DAX function {name} is not known to this evaluator")


def column_values(args, model: Model, context: Context) -> list:
    _, table, column = args[0]
    return [r[column] for r in model.rows(table, context) if r[column] is not None]


def dax_sum(args, model, context):
    values = column_values(args, model, context)
    return float(sum(float(v) for v in values)) if values else None


def dax_max(args, model, context):
    values = column_values(args, model, context)
    return float(max(float(v) for v in values)) if values else None


def dax_count(args, model, context):
    values = column_values(args, model, context)
    return len(values) or None


def dax_countrows(args, model, context):
    table = args[0]
    if table[0] == "table":
        return len(model.rows(table[1], context)) or None
    return len(rows_of(table, model, context)) or None


def rows_of(node, model: Model, context: Context) -> list[Context]:
    """A table expression as the list of contexts its rows stand for."""
    name, args = node[1], node[2]
    if name == "VALUES":
        _, table, column = args[0]
        values = sorted({r[column] for r in model.rows(table, context)}, key=str)
        return [{**context, (table, column): v} for v in values]
    if name == "FILTER":
        return [
            row
            for row in rows_of(args[0], model, context)
            if evaluate(args[1], model, row)
        ]
    raise ValueError(f"{name} is not a table function this evaluator knows")


def dax_divide(args, model, context):
    numerator = evaluate(args[0], model, context)
    denominator = evaluate(args[1], model, context)
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def dax_calculate(args, model, context):
    inner = dict(context)
    for modifier in args[1:]:
        name, (target, *_) = modifier[1], modifier[2]
        if name == "REMOVEFILTERS":
            inner = {k: v for k, v in inner.items() if k[0] != target[1]}
        elif name == "ALLSELECTED":
            if target[1] in inner.get(VISUAL, ()):
                inner = {k: v for k, v in inner.items() if k[0] != target[1]}
        elif name == "KEEPFILTERS":
            _, (_, table, column), (_, value) = target
            if inner.get((table, column), value) != value:
                return None  # the selection and the filter do not meet
            inner[(table, column)] = value
        else:
            raise ValueError(f"CALCULATE modifier {name} is not known here")
    return evaluate(args[0], model, inner)


def dax_coalesce(args, model, context):
    for arg in args:
        value = evaluate(arg, model, context)
        if value is not None:
            return value
    return None


def dax_not(args, model, context):
    return not evaluate(args[0], model, context)


def dax_isblank(args, model, context):
    return evaluate(args[0], model, context) is None


FUNCTIONS: dict[str, Callable] = {
    "SUM": dax_sum,
    "MAX": dax_max,
    "COUNT": dax_count,
    "COUNTROWS": dax_countrows,
    "DIVIDE": dax_divide,
    "CALCULATE": dax_calculate,
    "COALESCE": dax_coalesce,
    "NOT": dax_not,
    "ISBLANK": dax_isblank,
}
