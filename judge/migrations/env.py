"""Alembic's entry point for the judge's schema. The database URL comes from the app
(``upgrade(app)`` in cli_commands sets it), so migrations run where the app keeps its data."""

from alembic import context

from roboarena.judge import models  # noqa: F401  (registers the tables on Base.metadata)
from roboarena.judge.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_offline():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    engine = make_engine(url)
    with engine.connect() as connection:
        # Batch mode: SQLite alters a table by copying it, so later migrations work there too.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
