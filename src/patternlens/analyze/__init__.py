"""Findings over episodes: strong reactions, the relationship graph, pervasiveness,
breadcrumbs, the rupture ledger, alliance, red flags and crisis entries."""
