"""Support services: public listings of counseling, support groups, nutrition, palliative and hospice care,
financial and legal help, patient navigators; searched and ranked with a visible reason per factor."""
