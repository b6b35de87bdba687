"""Round 9: paediatrics, neonates, obstetrics, gynaecology and women's health, on notes and criteria written
for these tests (none taken from the labelled data): ages in days, weeks and months, gestational age now and
at birth, birth weight, parity, trimester, labour and delivery, breast-feeding, menopause, contraception,
vaccination, and whose age or illness a criterion names (the mother's, a sibling's). Guard cases keep
silence, negation and a relative's condition where they were.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

NEI = "not enough information"
NA = "not applicable"
CONSENT = (
    "The patient will provide informed consent, and will comply with the trial protocol without any "
    "practical issues."
)


def _note(*lines: str) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate((*lines, CONSENT)))


# ------------------------------------------------------------------------------------------- notes
OTITIS_BOY = _note(
    "A 4-year-old boy is brought in by his mother with two days of fever and tugging at his right ear.",
    "Otoscopy shows a bulging, erythematous right tympanic membrane.",
    "He is fully vaccinated for his age and attends preschool.",
)
BRONCHIOLITIS_GIRL = _note(
    "A 6-month-old girl, born at 34 weeks' gestation, is brought to the emergency department with three days "
    "of cough, rhinorrhoea and increasing work of breathing.",
    "She has subcostal retractions, diffuse wheezes and crackles, and an oxygen saturation of 91% on room "
    "air.",
    "Her older brother has asthma.",
)
JAUNDICED_NEWBORN = _note(
    "A 3-day-old boy born at term by spontaneous vaginal delivery to a 24-year-old G2P2 mother is noted to "
    "be yellow.",
    "His birth weight was 3.4 kg and he is exclusively breastfed.",
    "Total serum bilirubin is 18 mg/dL.",
)
PRETERM_NEONATE = _note(
    "A 2-day-old girl born at 28 weeks' gestation with a birth weight of 980 g is on CPAP in the neonatal "
    "intensive care unit.",
    "She received one dose of surfactant after birth.",
    "Her mother received two doses of antenatal betamethasone.",
)
HYPERTENSIVE_PREGNANCY = _note(
    "A 28-year-old woman, G2P1, at 30 weeks of gestation presents with headache and blurred vision.",
    "Her blood pressure is 162/110 mmHg and urine dipstick shows 3+ protein.",
    "Her first pregnancy ended in an uncomplicated vaginal delivery at term.",
)
HYPEREMESIS = _note(
    "A 24-year-old woman, G1P0 at 9 weeks' gestation by her last menstrual period, presents with persistent "
    "vomiting and inability to keep fluids down for 5 days.",
    "She has lost 4 kg since conception and has ketonuria.",
)
LABOUR_AFTER_CAESAREAN = _note(
    "A 30-year-old woman, G2P1, at 39 weeks' gestation is admitted in active labour with regular "
    "contractions every 3 minutes and a cervical dilation of 6 cm.",
    "Her first baby was delivered by caesarean section for breech presentation.",
)
POSTPARTUM_MOTHER = _note(
    "A 34-year-old woman is seen 6 weeks after the vaginal delivery of a healthy baby boy.",
    "She is exclusively breastfeeding and reports low mood, tearfulness and poor sleep for 3 weeks.",
)
POSTMENOPAUSAL_BLEEDING = _note(
    "A 62-year-old woman presents with vaginal bleeding for two weeks.",
    "Her last menstrual period was 11 years ago. She is G3P3, all vaginal deliveries.",
    "Transvaginal ultrasound shows an endometrial thickness of 12 mm.",
)
HOT_FLUSHES = _note(
    "A 51-year-old woman reports hot flushes and night sweats that wake her most nights.",
    "Her last menstrual period was 14 months ago.",
    "She has no significant past medical history.",
)
IRREGULAR_PERIODS_TEEN = _note(
    "A 17-year-old girl comes to the clinic because of irregular periods since menarche and excessive hair "
    "growth on her chin.",
    "Her BMI is 31 kg/m2 and she has acanthosis nigricans.",
    "She is not sexually active and takes no medications.",
)
APPENDICITIS_GIRL = _note(
    "A 14-year-old girl presents with one day of periumbilical pain that has moved to the right lower "
    "quadrant, fever and vomiting.",
    "Her last menstrual period was 2 weeks ago and a urine pregnancy test is negative.",
)
ENDOMETRIOSIS = _note(
    "A 29-year-old nulliparous woman has severe dysmenorrhoea and deep dyspareunia for 3 years.",
    "Laparoscopy last year confirmed stage III endometriosis.",
    "She takes a combined oral contraceptive pill continuously.",
)
IUD_MIGRAINE = _note(
    "A 26-year-old woman with migraine with aura has used a copper intrauterine device for 3 years.",
    "She has had 3 headache days a month for the past year.",
)
ASTHMA_GIRL = _note(
    "A 9-year-old girl with asthma uses her salbutamol inhaler about four times a week and wakes at night "
    "with cough twice a month.",
    "She takes inhaled fluticasone 100 mcg twice daily.",
    "Her mother smokes at home.",
)
FEBRILE_SEIZURE_TODDLER = _note(
    "An 18-month-old boy had a simple febrile seizure at home, two minutes of generalised shaking during a "
    "fever of 39.5 C.",
    "He has reached all his developmental milestones and has had no previous seizures.",
    "His uncle has epilepsy.",
)
MEASLES_UNVACCINATED = _note(
    "A 2-year-old girl presents with fever, cough, coryza and conjunctivitis followed by a rash that started "
    "on her face.",
    "She has never been vaccinated because her parents declined.",
)
SCHOOL_BOY_DIABETES = _note(
    "A 10-year-old boy with type 1 diabetes diagnosed at age 6 is seen for his quarterly review.",
    "His HbA1c is 8.9% on a basal-bolus insulin regimen.",
    "His father has type 2 diabetes.",
)
POOR_GROWTH_TODDLER = _note(
    "A 15-month-old boy is brought by his parents because of poor weight gain over the past 6 months.",
    "His weight is below the 3rd percentile for age.",
)
TEEN_PREGNANCY = _note(
    "A 16-year-old girl at 12 weeks' gestation attends her first antenatal visit.",
    "She is well and has no medical problems.",
)
EXPECTANT_FATHER = _note(
    "A 35-year-old man presents with three days of productive cough and fever.",
    "His wife is 20 weeks pregnant with their first child.",
)
TWIN_PREGNANCY = _note(
    "A 33-year-old woman, G1P0, at 24 weeks' gestation with a dichorionic twin pregnancy is seen in the "
    "antenatal clinic.",
    "A transvaginal ultrasound shows a cervical length of 18 mm.",
)
NEWBORN_10_DAYS = _note(
    "A 10-day-old boy born at 38 weeks is brought in with poor feeding and a temperature of 38.4 C.",
    "He is lethargic, with a bulging fontanelle.",
)

GLUCOSE_TEST_PREGNANCY = _note(
    "A 32-year-old woman, gravida 1 para 0, at 27 weeks' gestation is referred after an oral glucose "
    "tolerance test showing a fasting glucose of 5.8 mmol/L and a 2-hour value of 9.1 mmol/L.",
    "She has no history of diabetes.",
)
LEAKING_FLUID = _note(
    "A 25-year-old woman, G3P2, at 32 weeks' gestation presents with a gush of clear fluid from the vagina 6 "
    "hours ago.",
    "Sterile speculum examination confirms pooling of amniotic fluid; she has no contractions.",
    "Both previous babies were born at term by vaginal delivery.",
)
AFTER_HYSTERECTOMY = _note(
    "A 47-year-old woman who had a total abdominal hysterectomy for fibroids 5 years ago presents with hot "
    "flushes.",
    "Her ovaries were preserved.",
)
CEREBRAL_PALSY = _note(
    "A 7-year-old boy with spastic diplegic cerebral palsy after extreme prematurity walks with a walker.",
    "He attends a mainstream school with a classroom aide.",
)
DOWN_SYNDROME_INFANT = _note(
    "A 5-month-old girl with Down syndrome and a repaired atrioventricular septal defect is admitted with "
    "bronchiolitis.",
    "She is formula-fed.",
)
LATE_BOOKING = _note(
    "A 22-year-old woman has had no periods for 5 months.",
    "Her urine pregnancy test is positive and ultrasound shows a live intrauterine pregnancy at 19 weeks.",
)
SICKLE_CELL_BOY = _note(
    "A 13-year-old boy with sickle cell anaemia presents with severe pain in both legs for 1 day.",
    "He takes folic acid daily.",
    "His younger sister has sickle cell trait.",
)
PILL_AND_CLOT = _note(
    "A 23-year-old woman taking the combined oral contraceptive pill presents with a swollen, painful left "
    "calf.",
    "Doppler ultrasound shows a deep vein thrombosis.",
)
IVF_PREGNANCY = _note(
    "A 38-year-old woman conceived by in vitro fertilisation and is now at 8 weeks' gestation.",
    "She has had two previous miscarriages.",
)
SMALL_INFANT = _note(
    "A 9-month-old boy is brought for review of poor growth.",
    "He was born at term weighing 3.1 kg and has been breastfed since birth.",
)
LOW_MOOD_TEEN = _note(
    "A 15-year-old girl is brought by her father because of low mood, withdrawal from friends and falling "
    "grades for 2 months.",
    "She denies alcohol or drug use.",
)

MOTHER_NOTICED = _note(
    "A 6-year-old girl is brought in because her mother has noticed a rash on her legs for 3 days.",
    "Her mother has seen her scratching at night.",
    "She has eczema.",
)
PAST_HAEMORRHAGE = _note(
    "A 33-year-old woman, G2P2, presents with fatigue and heavy periods.",
    "Her second delivery 3 years ago was complicated by postpartum haemorrhage.",
)
DAY_THREE_POSTPARTUM = _note(
    "A 27-year-old woman on day 3 postpartum after a caesarean section develops fever and lower abdominal "
    "tenderness.",
    "She is breastfeeding her baby.",
)
ADULT_BORN_PRETERM = _note(
    "A 25-year-old man who was born at 26 weeks has bronchopulmonary dysplasia and asthma."
)
HOURS_OLD = _note(
    "A 12-hour-old boy born at 36 weeks by caesarean section has grunting and a respiratory rate of 80/min.",
    "His mother is 31 and had gestational diabetes.",
)
NO_PERIODS_YOUNG = _note(
    "A 35-year-old woman has had no periods for 18 months; her last menstrual period was 18 months ago.",
    "Her FSH is raised.",
)
BEFORE_FIRST_PERIOD = _note(
    "An 11-year-old girl with migraine misses school twice a month because of headaches.",
    "She has not yet started her periods.",
)

FLU_VACCINATED = _note(
    "A 70-year-old man with COPD received his influenza vaccination last October.",
    "He now has a fever and cough for two days.",
)


CASES = [
    # ---- ages in days, weeks and months
    (OTITIS_BOY, "Children aged 6 months to 5 years", "inclusion", "included"),
    (OTITIS_BOY, "Age 6 to 24 months", "inclusion", "not included"),
    (BRONCHIOLITIS_GIRL, "Infants younger than 12 months of age", "inclusion", "included"),
    (BRONCHIOLITIS_GIRL, "Age ≥ 12 months", "inclusion", "not included"),
    (POOR_GROWTH_TODDLER, "Children aged 6 to 59 months", "inclusion", "included"),
    (POOR_GROWTH_TODDLER, "Children aged 2 to 5 years", "inclusion", "not included"),
    (PRETERM_NEONATE, "Postnatal age less than 72 hours", "inclusion", "included"),
    (NEWBORN_10_DAYS, "Infants 7 to 28 days of age", "inclusion", "included"),
    (NEWBORN_10_DAYS, "Infants less than 7 days old", "inclusion", "not included"),
    (PRETERM_NEONATE, "Infants older than 7 days of age", "exclusion", "not excluded"),
    (ASTHMA_GIRL, "Children aged 6 to 11 years with asthma", "inclusion", "included"),
    (TEEN_PREGNANCY, "Pregnant women aged 18 years or older", "inclusion", "not included"),
    (TEEN_PREGNANCY, "Adolescents aged 13 to 19 years", "inclusion", "included"),
    # ---- whose age: the mother's, not the baby's
    (JAUNDICED_NEWBORN, "Mothers aged 18 years or older", "inclusion", "included"),
    (PRETERM_NEONATE, "Maternal age below 18 years", "exclusion", "not excluded"),
    (HYPERTENSIVE_PREGNANCY, "Maternal age 18 to 45 years", "inclusion", "included"),
    # ---- weeks of a pregnancy now
    (HYPERTENSIVE_PREGNANCY, "Gestational age between 24 and 34 weeks", "inclusion", "included"),
    (HYPERTENSIVE_PREGNANCY, "Women in the third trimester of pregnancy", "inclusion", "included"),
    (HYPERTENSIVE_PREGNANCY, "Gestational age less than 20 weeks", "inclusion", "not included"),
    (HYPEREMESIS, "Pregnant women in the first trimester", "inclusion", "included"),
    (HYPEREMESIS, "Gestational age of 16 weeks or more", "exclusion", "not excluded"),
    (TEEN_PREGNANCY, "Gestational age > 20 weeks", "exclusion", "not excluded"),
    (LABOUR_AFTER_CAESAREAN, "Term pregnancy (≥ 37 weeks of gestation)", "inclusion", "included"),
    (EXPECTANT_FATHER, "Gestational age 18 to 22 weeks", "inclusion", NA),
    (EXPECTANT_FATHER, "Pregnancy", "exclusion", NA),
    # ---- weeks and weight at birth
    (PRETERM_NEONATE, "Preterm infants born before 32 weeks of gestation", "inclusion", "included"),
    (PRETERM_NEONATE, "Gestational age at birth between 24 and 31 weeks", "inclusion", "included"),
    (PRETERM_NEONATE, "Term infants", "inclusion", "not included"),
    (PRETERM_NEONATE, "Birth weight less than 1500 g", "inclusion", "included"),
    (PRETERM_NEONATE, "Birth weight of 2500 g or more", "inclusion", "not included"),
    (JAUNDICED_NEWBORN, "Birth weight < 2000 grams", "exclusion", "not excluded"),
    (JAUNDICED_NEWBORN, "Term newborns (37 weeks of gestation or more)", "inclusion", "included"),
    (JAUNDICED_NEWBORN, "Preterm birth (< 37 weeks)", "exclusion", "not excluded"),
    (BRONCHIOLITIS_GIRL, "History of prematurity (born before 37 weeks)", "exclusion", "excluded"),
    (OTITIS_BOY, "Born before 35 weeks of gestation", "exclusion", NEI),
    (PRETERM_NEONATE, "Infants whose mothers received antenatal corticosteroids", "inclusion", "included"),
    # ---- parity and gravidity: the patient's, never her mother's
    (HYPEREMESIS, "Nulliparous women", "inclusion", "included"),
    (HYPEREMESIS, "Primigravida", "inclusion", "included"),
    (HYPERTENSIVE_PREGNANCY, "Nulliparous women", "inclusion", "not included"),
    (POSTMENOPAUSAL_BLEEDING, "Parous women", "inclusion", "included"),
    (ENDOMETRIOSIS, "Nulliparous women", "inclusion", "included"),
    (JAUNDICED_NEWBORN, "Nulliparous women", "inclusion", NA),
    (JAUNDICED_NEWBORN, "Pregnancy", "exclusion", NA),
    # ---- labour, delivery and the time after
    (LABOUR_AFTER_CAESAREAN, "Previous caesarean section", "inclusion", "included"),
    (LABOUR_AFTER_CAESAREAN, "Previous uterine surgery", "exclusion", "excluded"),
    (HYPERTENSIVE_PREGNANCY, "Previous caesarean delivery", "exclusion", "not excluded"),
    (TWIN_PREGNANCY, "Singleton pregnancy", "inclusion", "not included"),
    (TWIN_PREGNANCY, "Multiple gestation", "exclusion", "excluded"),
    (POSTPARTUM_MOTHER, "Breastfeeding women", "inclusion", "included"),
    (POSTPARTUM_MOTHER, "Currently breastfeeding", "exclusion", "excluded"),
    (HYPEREMESIS, "Breastfeeding", "exclusion", "not excluded"),
    (HYPEREMESIS, "Pregnant women", "inclusion", "included"),
    # ---- menopause and menstruation
    (POSTMENOPAUSAL_BLEEDING, "Postmenopausal women", "inclusion", "included"),
    (POSTMENOPAUSAL_BLEEDING, "Premenopausal women", "inclusion", "not included"),
    (POSTMENOPAUSAL_BLEEDING, "Pregnant or breastfeeding women", "exclusion", NA),
    (HOT_FLUSHES, "Postmenopausal women", "inclusion", "included"),
    (HOT_FLUSHES, "Premenopausal women", "inclusion", "not included"),
    (IRREGULAR_PERIODS_TEEN, "Premenopausal women", "inclusion", "included"),
    (APPENDICITIS_GIRL, "Premenarchal girls", "inclusion", "not included"),
    (APPENDICITIS_GIRL, "Pregnancy", "exclusion", "not excluded"),
    (ASTHMA_GIRL, "Pregnant or lactating", "exclusion", NA),
    # ---- contraception
    (ENDOMETRIOSIS, "Use of hormonal contraception", "exclusion", "excluded"),
    (IUD_MIGRAINE, "Use of hormonal contraception", "exclusion", "not excluded"),
    (
        IUD_MIGRAINE,
        "Women of childbearing potential must use effective contraception",
        "inclusion",
        "included",
    ),
    (
        IRREGULAR_PERIODS_TEEN,
        "Use of hormonal contraceptives in the past 3 months",
        "exclusion",
        "not excluded",
    ),
    # ---- adult life, vaccination, parents' consent
    (ASTHMA_GIRL, "Current smoker", "exclusion", NA),
    (OTITIS_BOY, "Alcohol or drug abuse", "exclusion", NA),
    (OTITIS_BOY, "Up to date with routine childhood immunisations", "inclusion", "included"),
    (
        MEASLES_UNVACCINATED,
        "Received at least one dose of measles-containing vaccine",
        "inclusion",
        "not included",
    ),
    (
        MEASLES_UNVACCINATED,
        "Fully vaccinated according to the national schedule",
        "inclusion",
        "not included",
    ),
    (OTITIS_BOY, "Written informed consent from a parent or legal guardian", "inclusion", "included"),
    (HOT_FLUSHES, "Parent or guardian able to give consent", "inclusion", NA),
    # ---- childhood and pregnancy diagnoses; relatives' conditions are not the patient's
    (FEBRILE_SEIZURE_TODDLER, "Epilepsy", "exclusion", "not excluded"),
    (FEBRILE_SEIZURE_TODDLER, "Simple febrile seizure", "inclusion", "included"),
    (BRONCHIOLITIS_GIRL, "History of asthma", "exclusion", "not excluded"),
    (ASTHMA_GIRL, "Use of inhaled corticosteroids", "inclusion", "included"),
    (SCHOOL_BOY_DIABETES, "Type 2 diabetes", "exclusion", "not excluded"),
    (SCHOOL_BOY_DIABETES, "Type 1 diabetes", "inclusion", "included"),
    (HYPERTENSIVE_PREGNANCY, "Pre-existing diabetes mellitus", "exclusion", "not excluded"),
    (POSTPARTUM_MOTHER, "Pregnancy", "exclusion", "not excluded"),
    (OTITIS_BOY, "Congenital heart disease", "exclusion", "not excluded"),
    # ---- round two: more phrasings
    (GLUCOSE_TEST_PREGNANCY, "Pre-gestational diabetes", "exclusion", "not excluded"),
    (GLUCOSE_TEST_PREGNANCY, "Primiparous or nulliparous women", "inclusion", "included"),
    (GLUCOSE_TEST_PREGNANCY, "Gestational age 24 0/7 to 32 6/7 weeks", "inclusion", "included"),
    (GLUCOSE_TEST_PREGNANCY, "Pregnant women in the second or third trimester", "inclusion", "included"),
    (GLUCOSE_TEST_PREGNANCY, "Third trimester of pregnancy", "inclusion", "not included"),
    (LEAKING_FLUID, "Gestational age between 24 and 34 weeks", "inclusion", "included"),
    (LEAKING_FLUID, "Active labour", "exclusion", "not excluded"),
    (LEAKING_FLUID, "History of preterm birth", "exclusion", "not excluded"),
    (LEAKING_FLUID, "Term infants", "inclusion", "not included"),
    (LEAKING_FLUID, "Multiparous women", "inclusion", "included"),
    (LEAKING_FLUID, "Previous caesarean section", "exclusion", "not excluded"),
    (AFTER_HYSTERECTOMY, "Women with an intact uterus", "inclusion", "not included"),
    (AFTER_HYSTERECTOMY, "Pregnant or breastfeeding", "exclusion", NA),
    (AFTER_HYSTERECTOMY, "Bilateral oophorectomy", "exclusion", "not excluded"),
    (AFTER_HYSTERECTOMY, "Hysterectomy", "inclusion", "included"),
    (CEREBRAL_PALSY, "Cerebral palsy", "inclusion", "included"),
    (CEREBRAL_PALSY, "Children aged 4 to 12 years", "inclusion", "included"),
    (CEREBRAL_PALSY, "Pregnancy or lactation", "exclusion", NA),
    (CEREBRAL_PALSY, "Born at term", "inclusion", "not included"),
    (CEREBRAL_PALSY, "Born before 37 weeks of gestation", "inclusion", "included"),
    (CEREBRAL_PALSY, "Smoking", "exclusion", NA),
    (DOWN_SYNDROME_INFANT, "Down syndrome", "inclusion", "included"),
    (DOWN_SYNDROME_INFANT, "Congenital heart disease", "exclusion", "excluded"),
    (DOWN_SYNDROME_INFANT, "Infants aged 1 to 12 months", "inclusion", "included"),
    (DOWN_SYNDROME_INFANT, "Breastfed infants", "inclusion", "not included"),
    (DOWN_SYNDROME_INFANT, "Hospitalised for bronchiolitis", "inclusion", "included"),
    (BRONCHIOLITIS_GIRL, "Exclusively breastfed infants", "inclusion", NEI),
    (BRONCHIOLITIS_GIRL, "Formula-fed infants", "exclusion", "not excluded"),
    (LATE_BOOKING, "Gestational age less than 14 weeks", "inclusion", "not included"),
    (LATE_BOOKING, "Intrauterine pregnancy confirmed by ultrasound", "inclusion", "included"),
    (LATE_BOOKING, "Postmenopausal women", "inclusion", "not included"),
    (LATE_BOOKING, "Ectopic pregnancy", "exclusion", "not excluded"),
    (SICKLE_CELL_BOY, "Sickle cell disease (HbSS)", "inclusion", "included"),
    (SICKLE_CELL_BOY, "Age 2 to 17 years", "inclusion", "included"),
    (SICKLE_CELL_BOY, "Sickle cell trait", "exclusion", "not excluded"),
    (SICKLE_CELL_BOY, "Pregnancy", "exclusion", NA),
    (PILL_AND_CLOT, "Use of estrogen-containing contraceptives", "exclusion", "excluded"),
    (
        PILL_AND_CLOT,
        "Women of childbearing potential not using adequate contraception",
        "exclusion",
        "not excluded",
    ),
    (PILL_AND_CLOT, "Deep vein thrombosis", "inclusion", "included"),
    (IVF_PREGNANCY, "Recurrent miscarriage (two or more losses)", "inclusion", "included"),
    (IVF_PREGNANCY, "First trimester", "inclusion", "included"),
    (IVF_PREGNANCY, "Maternal age ≥ 35 years", "inclusion", "included"),
    (IVF_PREGNANCY, "Nulliparous", "inclusion", NEI),
    (SMALL_INFANT, "Infants 6 to 12 months of age", "inclusion", "included"),
    (SMALL_INFANT, "Born before 37 weeks of gestation", "exclusion", "not excluded"),
    (SMALL_INFANT, "Birth weight ≥ 2500 g", "inclusion", "included"),
    (SMALL_INFANT, "Breastfed infants", "inclusion", "included"),
    (LOW_MOOD_TEEN, "Adolescents aged 12 to 17 years", "inclusion", "included"),
    (LOW_MOOD_TEEN, "Parental consent and patient assent", "inclusion", "included"),
    (LOW_MOOD_TEEN, "Alcohol or substance use disorder", "exclusion", "not excluded"),
    (LOW_MOOD_TEEN, "Pregnancy", "exclusion", NEI),
    (LOW_MOOD_TEEN, "Premenopausal women", "inclusion", "included"),
    # ---- round three: guards for the rules above
    (MOTHER_NOTICED, "Rash", "inclusion", "included"),
    (MOTHER_NOTICED, "Atopic dermatitis", "inclusion", "included"),
    (PAST_HAEMORRHAGE, "Pregnancy", "exclusion", NEI),
    (PAST_HAEMORRHAGE, "Multiparous women", "inclusion", "included"),
    (PAST_HAEMORRHAGE, "Premenopausal women", "inclusion", "included"),
    (DAY_THREE_POSTPARTUM, "Pregnancy", "exclusion", "not excluded"),
    (DAY_THREE_POSTPARTUM, "Lactating women", "exclusion", "excluded"),
    (DAY_THREE_POSTPARTUM, "Pregnant or breastfeeding women", "exclusion", "excluded"),
    (ADULT_BORN_PRETERM, "Adults aged 18 to 40 years", "inclusion", "included"),
    (ADULT_BORN_PRETERM, "Pregnancy", "exclusion", NA),
    (HOURS_OLD, "Late preterm infants (34 0/7 to 36 6/7 weeks)", "inclusion", "included"),
    (HOURS_OLD, "Postnatal age under 24 hours", "inclusion", "included"),
    (HOURS_OLD, "Infants of diabetic mothers", "inclusion", "included"),
    (HOURS_OLD, "Maternal age 18 to 40 years", "inclusion", "included"),
    (HOURS_OLD, "Gestational diabetes", "exclusion", "not excluded"),
    (HOURS_OLD, "Gestational age ≥ 37 weeks", "inclusion", "not included"),
    (HOURS_OLD, "Nulliparous women", "inclusion", NA),
    (NO_PERIODS_YOUNG, "Postmenopausal women", "inclusion", NEI),
    (BEFORE_FIRST_PERIOD, "Premenarchal girls", "inclusion", "included"),
    (BEFORE_FIRST_PERIOD, "Pregnancy", "exclusion", NA),
    (BEFORE_FIRST_PERIOD, "Children aged 8 to 17 years", "inclusion", "included"),
    # ---- round four: vaccines, inhalers and the weeks after a birth
    (OTITIS_BOY, "Receipt of a live vaccine within 30 days before enrolment", "exclusion", "not excluded"),
    (MEASLES_UNVACCINATED, "Previous vaccination against measles", "exclusion", "not excluded"),
    (FLU_VACCINATED, "Influenza vaccination in the current season", "inclusion", "included"),
    (ASTHMA_GIRL, "Systemic corticosteroids within the past 4 weeks", "exclusion", "not excluded"),
    (POSTPARTUM_MOTHER, "Women within 12 weeks of delivery", "inclusion", "included"),
    (POSTPARTUM_MOTHER, "Within 4 weeks after childbirth", "inclusion", "not included"),
    (DAY_THREE_POSTPARTUM, "Up to 7 days postpartum", "inclusion", "included"),
    (HYPEREMESIS, "Women of childbearing potential not using contraception", "exclusion", "not excluded"),
    (ENDOMETRIOSIS, "Surgically confirmed endometriosis", "inclusion", "included"),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "expected"), CASES)
def test_paediatric_and_obstetric_criteria(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected  # type: ignore[arg-type]
