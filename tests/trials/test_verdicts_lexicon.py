"""Conditions the clinical lexicon names in the words of general, emergency, paediatric and obstetric
notes, on notes and criteria written for these tests: a note stating a condition (in a synonym, an
abbreviation or an adjective) meets an inclusion criterion naming it and meets an exclusion naming it; a
note denying it fails the inclusion.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import Verdict, judge, read_note


def verdict(note: str, criterion: str, kind: str = "inclusion") -> Verdict:
    return judge(read_note(note), criterion, kind)  # type: ignore[arg-type]


# (criterion, a note stating it, a note denying it)
CASES = [
    (
        "Pyelonephritis",
        "A 27-year-old woman was treated for a kidney infection with intravenous ceftriaxone.",
        "A 27-year-old woman with dysuria. There is no evidence of pyelonephritis.",
    ),
    (
        "Bacterial meningitis",
        "A 3-year-old boy with fever and a stiff neck; the spinal fluid confirmed meningococcal disease.",
        "A 3-year-old boy with fever. There are no signs of meningitis on examination.",
    ),
    (
        "Cirrhosis",
        "A 58-year-old man with a small cirrhotic liver on ultrasound and tense ascites.",
        "A 58-year-old man with abnormal liver enzymes. He has no history of cirrhosis.",
    ),
    (
        "Melena",
        "A 70-year-old woman reports black tarry stools for two days.",
        "A 70-year-old woman with epigastric discomfort. She denies melena.",
    ),
    (
        "Gastrointestinal bleeding",
        "A 66-year-old man on aspirin presented with haematemesis this morning.",
        "A 66-year-old man with anaemia. There is no GI bleeding.",
    ),
    (
        "Heart murmur",
        "On auscultation a harsh systolic murmur is heard at the left sternal border.",
        "Heart sounds are regular and there are no murmurs.",
    ),
    (
        "Atrial fibrillation",
        "A 77-year-old man with paroxysmal AFib takes apixaban.",
        "A 77-year-old man with palpitations. He has no history of atrial fibrillation.",
    ),
    (
        "Pulmonary embolism",
        "CT angiography showed a pulmonary embolus in the right lower lobe artery.",
        "A 45-year-old woman with pleuritic pain. There is no pulmonary embolism on CT angiography.",
    ),
    (
        "Deep vein thrombosis",
        "Doppler ultrasound confirmed a deep venous thrombosis of the left popliteal vein.",
        "A 52-year-old man with a swollen calf. Doppler showed no DVT.",
    ),
    (
        "End-stage renal disease",
        "A 61-year-old man with ESRD receives hemodialysis three times a week.",
        "A 61-year-old man with hypertension. He has no end stage renal disease.",
    ),
    (
        "Hyperthyroidism",
        "A 34-year-old woman was diagnosed with Graves' disease last spring.",
        "A 34-year-old woman with tremor. She has no hyperthyroidism.",
    ),
    (
        "Schizophrenia",
        "A 29-year-old schizophrenic man is brought in by his case worker.",
        "A 29-year-old man with insomnia. He has no history of schizophrenia.",
    ),
    (
        "Alzheimer's disease",
        "An 81-year-old woman with Alzheimer dementia lives in a care home.",
        "An 81-year-old woman with forgetfulness. She has no Alzheimer disease.",
    ),
    (
        "Crohn's disease",
        "A 24-year-old man has Crohn's disease of the terminal ileum.",
        "A 24-year-old man with diarrhoea. There is no history of Crohn disease.",
    ),
    (
        "Sickle cell disease",
        "A 9-year-old boy with HbSS presents in a vaso-occlusive crisis.",
        "A 9-year-old boy with anaemia. Electrophoresis ruled out sickle cell disease.",
    ),
    (
        "Immune thrombocytopenia",
        "A 30-year-old woman was diagnosed with idiopathic thrombocytopenic purpura.",
        "A 30-year-old woman with bruising. She has no immune thrombocytopenia.",
    ),
    (
        "Hemophilia",
        "A 6-year-old boy with haemophilia A receives factor VIII.",
        "A 6-year-old boy with a swollen knee. He has no hemophilia.",
    ),
    (
        "Cushing syndrome",
        "A 42-year-old woman was found to have hypercortisolism from a pituitary adenoma.",
        "A 42-year-old woman with weight gain. She has no Cushing syndrome.",
    ),
    (
        "Adrenal insufficiency",
        "A 38-year-old man with Addison's disease takes hydrocortisone.",
        "A 38-year-old man with fatigue. He has no adrenal insufficiency.",
    ),
    (
        "Preeclampsia",
        "A 31-year-old woman at 34 weeks developed HELLP syndrome.",
        "A 31-year-old woman at 30 weeks. There are no signs of preeclampsia.",
    ),
    (
        "Gestational diabetes",
        "A 33-year-old woman at 28 weeks has GDM controlled by diet.",
        "A 33-year-old woman at 28 weeks. She has no gestational diabetes.",
    ),
    (
        "Henoch-Schonlein purpura",
        "A 7-year-old girl with palpable purpura on the legs was diagnosed with IgA vasculitis.",
        "A 7-year-old girl with a rash. There is no Henoch-Schonlein purpura.",
    ),
    (
        "Giant cell arteritis",
        "A 74-year-old woman with jaw claudication has temporal arteritis on biopsy.",
        "A 74-year-old woman with headache. There is no giant cell arteritis.",
    ),
    (
        "Sjogren syndrome",
        "A 55-year-old woman with dry eyes and dry mouth has Sjögren's syndrome.",
        "A 55-year-old woman with dry eyes. She has no Sjogren syndrome.",
    ),
    (
        "COVID-19",
        "A 48-year-old man tested positive for SARS-CoV-2 three days ago.",
        "A 48-year-old man with a cough. A PCR test for SARS-CoV-2 was negative.",
    ),
    (
        "Herpes zoster",
        "A 69-year-old woman has painful shingles over the left chest wall.",
        "A 69-year-old woman with chest wall pain. There is no herpes zoster.",
    ),
    (
        "Pertussis",
        "A 4-month-old infant has whooping cough with paroxysms and post-tussive vomiting.",
        "A 4-month-old infant with a cough. Testing was negative for pertussis.",
    ),
    (
        "Croup",
        "A 2-year-old boy with a barking cough and stridor has laryngotracheobronchitis.",
        "A 2-year-old boy with a runny nose. There is no croup.",
    ),
    (
        "Amyotrophic lateral sclerosis",
        "A 63-year-old man with progressive weakness was diagnosed with motor neuron disease.",
        "A 63-year-old man with cramps. He has no amyotrophic lateral sclerosis.",
    ),
    (
        "Post-traumatic stress disorder",
        "A 36-year-old veteran with PTSD has nightmares.",
        "A 36-year-old veteran with insomnia. He has no post-traumatic stress disorder.",
    ),
    (
        "Opioid use disorder",
        "A 27-year-old man with heroin addiction is on methadone maintenance.",
        "A 27-year-old man with back pain. He denies heroin use.",
    ),
    (
        "Anemia",
        "A 44-year-old woman with heavy periods is pale and anemic.",
        "A 44-year-old woman with fatigue. There is no anemia.",
    ),
    (
        "Uveitis",
        "A 30-year-old man with ankylosing spondylitis has a red painful eye from iritis.",
        "A 30-year-old man with a red eye. Slit lamp examination shows no uveitis.",
    ),
    (
        "Hearing loss",
        "A 70-year-old man has bilateral sensorineural hearing loss and wears hearing aids.",
        "A 70-year-old man with tinnitus. He denies hearing loss.",
    ),
    (
        "Pressure ulcer",
        "A bedbound 88-year-old woman has a sacral decubitus ulcer.",
        "A bedbound 88-year-old woman. The skin is intact without pressure sores.",
    ),
    (
        "Gallstones",
        "Abdominal ultrasound showed cholelithiasis without wall thickening.",
        "A 40-year-old woman with dyspepsia. Ultrasound shows no gallstones.",
    ),
    (
        "Esophageal varices",
        "A 59-year-old man with alcoholic liver disease had variceal bleeding last year.",
        "A 59-year-old man with cirrhosis. Endoscopy showed no varices.",
    ),
    (
        "Fatty liver disease",
        "Ultrasound shows hepatic steatosis in this 50-year-old obese man.",
        "A 50-year-old man. The liver is normal in size with no fatty liver.",
    ),
    (
        "Hydronephrosis",
        "A CT scan shows right hydronephrosis from an obstructing ureteral stone.",
        "A 35-year-old man with flank pain. Renal ultrasound shows no hydronephrosis.",
    ),
    (
        "Nephrotic syndrome",
        "A 4-year-old boy with periorbital swelling was diagnosed with minimal change disease.",
        "A 4-year-old boy with swollen eyelids. He has no nephrotic syndrome.",
    ),
    (
        "Intussusception",
        "A 10-month-old with colicky pain and red currant jelly stool has an ileocolic intussusception.",
        "A 10-month-old with vomiting. Ultrasound showed no intussusception.",
    ),
    (
        "Hypertrophic cardiomyopathy",
        "A 19-year-old athlete who fainted while running has HOCM on echocardiography.",
        "A 19-year-old athlete with palpitations. Echocardiography shows no hypertrophic cardiomyopathy.",
    ),
    (
        "Guillain-Barre syndrome",
        "A 41-year-old man with ascending weakness after diarrhoea was diagnosed with AIDP.",
        "A 41-year-old man with leg weakness. There is no Guillain-Barre syndrome.",
    ),
    (
        "Intrauterine growth restriction",
        "A 29-year-old woman at 32 weeks; the fetus is small for gestational age on ultrasound.",
        "A 29-year-old woman at 32 weeks. Ultrasound shows no fetal growth restriction.",
    ),
    (
        "Varicella",
        "A 5-year-old girl has chickenpox with vesicles on the trunk.",
        "A 5-year-old girl with an itchy rash. There is no varicella.",
    ),
]


@pytest.mark.parametrize(("criterion", "stated", "denied"), CASES, ids=[c[0] for c in CASES])
def test_a_condition_stated_in_other_words_meets_the_inclusion(
    criterion: str, stated: str, denied: str
) -> None:
    assert verdict(stated, criterion).label == "included"


@pytest.mark.parametrize(("criterion", "stated", "denied"), CASES, ids=[c[0] for c in CASES])
def test_a_condition_the_note_denies_fails_the_inclusion(criterion: str, stated: str, denied: str) -> None:
    assert verdict(denied, criterion).label == "not included"


@pytest.mark.parametrize(("criterion", "stated", "denied"), CASES, ids=[c[0] for c in CASES])
def test_a_condition_stated_in_other_words_meets_the_exclusion(
    criterion: str, stated: str, denied: str
) -> None:
    assert verdict(stated, criterion, "exclusion").label == "excluded"


def test_diabetes_insipidus_is_not_diabetes_mellitus() -> None:
    note = "A 30-year-old man with central diabetes insipidus after pituitary surgery takes desmopressin."
    assert verdict(note, "Type 2 diabetes mellitus").label != "included"
    assert verdict(note, "Diabetes insipidus").label == "included"


def test_a_headache_is_not_a_migraine() -> None:
    assert verdict("A 25-year-old woman with a tension headache.", "Migraine").label != "included"
    assert verdict("A 25-year-old woman with migraine with aura.", "Migraine").label == "included"


def test_a_degree_the_criterion_asks_must_be_said_of_the_condition() -> None:
    note = "A 70-year-old smoker with peripheral vascular disease. He has moderate hearing loss."
    assert verdict(note, "Known moderate peripheral vascular disease").label == "not enough information"
    stated = "A 70-year-old smoker with moderate peripheral vascular disease."
    assert verdict(stated, "Known moderate peripheral vascular disease").label == "included"


def test_bracketed_examples_carry_what_they_illustrate_when_excluding() -> None:
    note = "A 40-year-old man with a wheeze after a cold."
    criterion = "Daily need for a rescue inhaler because of asthma symptoms (cough, wheeze)"
    assert verdict(note, criterion, "exclusion").label != "excluded"


def test_a_cause_after_the_last_alternative_is_asked_of_each() -> None:
    note = "A 45-year-old woman with heavy menstrual bleeding."
    criterion = "Menorrhagia and/or pelvic pressure associated with uterine fibroids"
    assert verdict(note, criterion).label != "included"


def test_a_coma_scale_score_is_not_a_coma() -> None:
    note = "A 40-year-old man after a fall from a ladder. Glasgow Coma Scale 15 on arrival."
    assert verdict(note, "Coma").label != "included"


def test_paraplegia_after_an_accident_is_not_cord_compression() -> None:
    note = "A 63-year-old man has been paraplegic since a car accident."
    assert verdict(note, "Spinal cord compression").label != "included"
    assert verdict(note, "Spinal cord injury").label == "included"


def test_interstitial_nephritis_is_not_glomerulonephritis() -> None:
    note = "A 50-year-old woman with tubulointerstitial nephritis after starting omeprazole."
    assert verdict(note, "Glomerulonephritis").label != "included"
    assert verdict(note, "Kidney disease").label == "included"
