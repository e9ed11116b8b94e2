"""Printing a benchmark's figures as a Markdown table (shared by the benchmark scripts)."""


def print_table(rows: list[tuple[str, str, str]]):
    """Rows of (figure, value, note)."""
    width = max(len(row[0]) for row in rows)
    print(f"| {'figure'.ljust(width)} | value | note |")
    print(f"|{'-' * (width + 2)}|-------|------|")
    for name, value, note in rows:
        print(f"| {name.ljust(width)} | {value} | {note} |")
