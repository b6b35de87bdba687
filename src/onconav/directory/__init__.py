"""The directory: organizations, practitioners, their roles, locations and services; ranking; demo data.

Other domains use it only through `onconav.directory.service`.
"""
