"""Clinical trials: records from ClinicalTrials.gov, criteria, patient profiles and matching."""
