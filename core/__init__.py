"""pengkom's domain core: events, aggregates, rules of the 2023 guideline. Knows no HTTP or SQL."""
