"""The follow-up log: Trygghetsstiftelsen's record of its contacts with the agencies it supports (issue 20)."""
