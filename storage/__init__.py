"""Persistence: ORM models, the engine, one repository module per aggregate, migrations.

Repository functions take an ``AsyncSession`` first and never commit: the caller owns the
unit of work.
"""
