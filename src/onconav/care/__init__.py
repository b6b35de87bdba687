"""Follow-up care after treatment: a personal follow-up plan per case, its reminders, its calendar feed and
the hand-back to the local care team (PDF and FHIR CarePlan). Other domains use `care.service`."""
