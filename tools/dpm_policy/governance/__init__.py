"""Governance of the repository's content: guardrails, waivers and policy tests."""
