"""Clinical trials: import, criteria, patient profiles, matching and a verdict for each criterion."""
