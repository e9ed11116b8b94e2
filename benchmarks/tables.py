"""What the benchmark scripts share: timing a piece of work, and printing the figures as a
Markdown table."""

import time


def print_table(rows: list[tuple[str, str, str]]):
    """Rows of (figure, value, note)."""
    width = max(len(row[0]) for row in rows)
    print(f"| {'figure'.ljust(width)} | value | note |")
    print(f"|{'-' * (width + 2)}|-------|------|")
    for name, value, note in rows:
        print(f"| {name.ljust(width)} | {value} | {note} |")


def best_of(repeats: int, work) -> float:
    """The shortest of ``repeats`` timings of ``work()``, in seconds: the least disturbed."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)
