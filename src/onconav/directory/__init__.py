"""The directory: organizations, practitioners, their roles, locations and services; ranking; demo data;
importers of real data (`imports`, internal).

Other domains and faces use it only through `onconav.directory.service` (and `schemas`).
"""
