"""Cancer knowledge: services and procedures, specialties, conditions, and what a patient's words mean.

Other domains use it only through `onconav.knowledge.service`.
"""
