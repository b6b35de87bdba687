"""The reliability harness of issue 17: scenarios run against real `onconav serve` processes and a real
PostgreSQL, each printing its figures (`python -m reliability.<scenario> [--short]`); see docs/reliability.md.
"""
