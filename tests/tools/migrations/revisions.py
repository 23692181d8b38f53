"""Alembic revision files the migration tests write into throwaway projects."""

from __future__ import annotations

A1 = '''
"""create users"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.execute("INSERT INTO users (id, name) VALUES (1, 'ann')")


def downgrade():
    op.drop_table("users")
'''

B2 = '''
"""email and a rename"""
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(100), nullable=True))
    op.create_index("ix_users_email", "users", ["email"])
    op.alter_column("users", "name", new_column_name="full_name")


def downgrade():
    op.alter_column("users", "full_name", new_column_name="name")
    op.drop_index("ix_users_email", "users")
    op.drop_column("users", "email")
'''

C3_RISKY = '''
"""risky"""
import sqlalchemy as sa
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.add_column("users", sa.Column("tenant", sa.Integer, nullable=False))
    op.drop_table("users")


def downgrade():
    pass
'''

C3_CONCURRENT = '''
"""concurrent index"""
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_users_full_name", "users", ["full_name"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_full_name", "users", postgresql_concurrently=True)
'''

C3_BROKEN = '''
"""broken"""
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.execute("UPDATE users SET email = 'x'")
    op.execute("CREAT TABLE oops (x int)")


def downgrade():
    pass
'''

C3_READS_DATA = '''
"""reads data"""
import sqlalchemy as sa
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM users")).scalar()
    op.execute(sa.text(f"UPDATE users SET email = 'seen {count}'"))


def downgrade():
    pass
'''

C3_PYTHON_ERROR = '''
"""python error"""
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.execute("UPDATE users SET email = 'x'")
    op.add_colum("users", None)


def downgrade():
    pass
'''
