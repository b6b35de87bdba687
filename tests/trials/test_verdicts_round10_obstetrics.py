"""Round 10, obstetrics and early childhood, in notes and criteria written for these tests: gestational
diabetes from its glucose tests (a challenge test is only a screen), preterm prelabour rupture of membranes
from its findings and the weeks, febrile seizures, the cervical length, and a diagnosis asked "confirmed by
imaging" when the note gives the scan that establishes it.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note


def _note(*lines: str) -> object:
    return read_note("\n".join(f"{i}. {line}" for i, line in enumerate(lines)))


def _label(note: object, criterion: str, kind: str) -> str:
    return judge(note, criterion, kind).label  # type: ignore[arg-type]


# 1. Gestational diabetes from its tests (IADPSG 2010; Carpenter-Coustan; ACOG Practice Bulletin 190)

PREGNANT_AT_26 = "A 31-year-old G2P1 at 26 weeks' gestation is seen in the antenatal clinic."
NO_DIABETES = "She has no history of diabetes."
GDM = "Gestational diabetes mellitus"


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        # 75 g: one value at or above 92 / 180 / 153 mg/dL is enough
        (
            ("A 75 g oral glucose tolerance test showed fasting 96, 1-hour 192 and 2-hour 160 mg/dL.",),
            GDM,
            "inclusion",
            "included",
        ),
        (
            ("Her 75-g OGTT: fasting glucose 84 mg/dL, 1 h 150 mg/dL, 2 h 158 mg/dL.",),
            GDM,
            "inclusion",
            "included",
        ),
        (("A 2-hour 75 g OGTT gave fasting 5.3, 1 h 8.9 and 2 h 7.1 mmol/L.",), GDM, "inclusion", "included"),
        (
            ("A 75 g OGTT showed fasting 96, 1-hour 192 and 2-hour 160 mg/dL.",),
            "Diagnosis of GDM",
            "inclusion",
            "included",
        ),
        # 100 g: two values at or above 95 / 180 / 155 / 140 mg/dL
        (
            (
                "Her 3-hour 100 g glucose tolerance test values were fasting 90, 1 h 192, 2 h 168 and "
                "3 h 130 mg/dL.",
            ),
            GDM,
            "inclusion",
            "included",
        ),
        (("The 3-hour GTT was 98/190/160/135 mg/dL.",), GDM, "inclusion", "included"),
        (("She failed her 3-hour glucose tolerance test last week.",), GDM, "inclusion", "included"),
        # the diagnosis established now stands beside a denial of diabetes before the pregnancy
        (
            (
                NO_DIABETES,
                "A 75 g oral glucose tolerance test showed fasting 96, 1-hour 192 and 2-hour 160 mg/dL.",
            ),
            GDM,
            "inclusion",
            "included",
        ),
        (
            (NO_DIABETES, "A 75 g OGTT showed fasting 88, 1-hour 185 and 2-hour 140 mg/dL."),
            "Gestational diabetes",
            "exclusion",
            "excluded",
        ),
        # a 50 g challenge test is a screen: the diagnosis stays open
        (("A 50 g glucose challenge test was 150 mg/dL.",), GDM, "inclusion", "not enough information"),
        (
            (NO_DIABETES, "Her 1-hour glucose challenge test was 150 mg/dL."),
            GDM,
            "inclusion",
            "not enough information",
        ),
        (
            (NO_DIABETES, "Her 1-hour glucose challenge test was 150 mg/dL."),
            GDM,
            "exclusion",
            "not enough information",
        ),
        (("GCT 148 mg/dL; a 3-hour GTT is scheduled.",), GDM, "exclusion", "not enough information"),
        # a complete tolerance test under every limit rules it out
        (
            ("A 75 g OGTT showed fasting 80, 1-hour 150 and 2-hour 120 mg/dL.",),
            GDM,
            "inclusion",
            "not included",
        ),
        (
            ("A 3-hour 100 g OGTT showed fasting 88, 1 h 185, 2 h 150 and 3 h 120 mg/dL.",),
            GDM,
            "exclusion",
            "not excluded",
        ),
    ],
)
def test_gestational_diabetes_from_its_tests(
    lines: tuple[str, ...], criterion: str, kind: str, label: str
) -> None:
    assert _label(_note(PREGNANT_AT_26, *lines), criterion, kind) == label


@pytest.mark.parametrize(
    ("lines", "label"),
    [
        # guards: a normal challenge test, one high value of four, and a test outside pregnancy imply nothing
        ((PREGNANT_AT_26, "A 50 g glucose challenge test was 118 mg/dL."), "not excluded"),
        (
            (PREGNANT_AT_26, "A 3-hour 100 g OGTT showed fasting 88, 1 h 150, 2 h 170 and 3 h 120 mg/dL."),
            "not excluded",
        ),
        (
            (
                "A 45-year-old woman with fatigue; a pregnancy test is negative.",
                "A 75 g OGTT showed fasting 96, 1-hour 192 and 2-hour 160 mg/dL.",
            ),
            "not excluded",
        ),
    ],
)
def test_gestational_diabetes_guards(lines: tuple[str, ...], label: str) -> None:
    assert _label(_note(*lines), "Gestational diabetes", "exclusion") == label


# 2. Preterm prelabour rupture of membranes (ACOG Practice Bulletin 217, 2020)

PPROM = "Preterm premature rupture of membranes"
POOLING = "Sterile speculum examination shows pooling of fluid in the posterior fornix; nitrazine positive."


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        (
            ("A 29-year-old G1P0 at 31 weeks presents with leaking fluid since this morning.", POOLING),
            PPROM,
            "inclusion",
            "included",
        ),
        (
            ("A 29-year-old G1P0 at 31 weeks presents with leaking fluid since this morning.", POOLING),
            "PPROM",
            "exclusion",
            "excluded",
        ),
        (
            (
                "A 24-year-old woman, 33 weeks pregnant, reports a gush of clear fluid.",
                "Ferning is present on microscopy.",
            ),
            "Preterm prelabour rupture of membranes",
            "inclusion",
            "included",
        ),
        (
            ("A 27-year-old G2P1 at 34 weeks' gestation with premature rupture of membranes 10 hours ago.",),
            PPROM,
            "inclusion",
            "included",
        ),
        (
            (
                "A 30-year-old at 28 weeks' gestation; her membranes ruptured yesterday, confirmed by a "
                "positive AmniSure.",
            ),
            "Women with preterm rupture of membranes",
            "inclusion",
            "included",
        ),
        # at term, the rupture is not preterm
        (
            ("A 29-year-old G1P0 at 39 weeks presents with leaking fluid since this morning.", POOLING),
            PPROM,
            "inclusion",
            "not included",
        ),
        (
            ("A 29-year-old G1P0 at 39 weeks presents with leaking fluid since this morning.", POOLING),
            PPROM,
            "exclusion",
            "not excluded",
        ),
        (
            ("A 29-year-old G1P0 at 39 weeks' gestation with premature rupture of membranes 6 hours ago.",),
            PPROM,
            "inclusion",
            "not included",
        ),
        (
            ("A 32-year-old G3P2 at 40 weeks' gestation with PROM at 04:00.",),
            PPROM,
            "exclusion",
            "not excluded",
        ),
        # at term the rupture itself stands
        (
            ("A 29-year-old G1P0 at 39 weeks presents with leaking fluid since this morning.", POOLING),
            "Premature rupture of membranes",
            "inclusion",
            "included",
        ),
    ],
)
def test_preterm_rupture_of_membranes(lines: tuple[str, ...], criterion: str, kind: str, label: str) -> None:
    assert _label(_note(*lines), criterion, kind) == label


@pytest.mark.parametrize(
    "lines",
    [
        # guards: leaking fluid without a test, intact membranes, no weeks given
        (
            "A 29-year-old G1P0 at 31 weeks' gestation reports leaking fluid.",
            "Speculum exam: no pooling, nitrazine negative.",
        ),
        ("A 29-year-old G1P0 at 31 weeks' gestation with contractions; membranes intact.",),
    ],
)
def test_preterm_rupture_guards(lines: tuple[str, ...]) -> None:
    assert _label(_note(*lines), PPROM, "exclusion") == "not excluded"


# 3. Febrile seizures (AAP clinical practice guideline, 2011)

FEBRILE_SEIZURE = "Febrile seizure"


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        (
            (
                "A 2-year-old boy was brought after a 3-minute generalized seizure.",
                "Temperature 39.2 C.",
                "He has no prior seizures.",
            ),
            FEBRILE_SEIZURE,
            "inclusion",
            "included",
        ),
        (
            (
                "An 18-month-old girl had a generalized tonic-clonic convulsion at home.",
                "She is febrile to 39.6 °C with otitis media.",
            ),
            "History of febrile convulsions",
            "exclusion",
            "excluded",
        ),
        (
            (
                "A 3-year-old boy with a temperature of 102.8 F had a 2-minute seizure.",
                "Neck is supple; no meningeal signs.",
            ),
            "Simple febrile seizure",
            "inclusion",
            "included",
        ),
        (
            ("A 4-year-old girl with fever since yesterday had a brief seizure in the car.",),
            "Children with febrile seizures",
            "inclusion",
            "included",
        ),
    ],
)
def test_febrile_seizure_from_its_findings(
    lines: tuple[str, ...], criterion: str, kind: str, label: str
) -> None:
    assert _label(_note(*lines), criterion, kind) == label


@pytest.mark.parametrize(
    "lines",
    [
        # guards: no fever; too old; too young; meningitis; a child with epilepsy; fever without a seizure
        ("A 2-year-old boy was brought after a 3-minute generalized seizure.", "Temperature 36.9 C."),
        ("A 7-year-old girl was brought after a 3-minute generalized seizure.", "Temperature 39.2 C."),
        ("A 4-month-old infant had a seizure.", "Temperature 38.6 C."),
        (
            "A 2-year-old boy had a seizure with a temperature of 39.5 C.",
            "Lumbar puncture: CSF with neutrophilic pleocytosis.",
        ),
        ("A 3-year-old girl with epilepsy had a seizure.", "Temperature 38.4 C."),
        ("A 2-year-old boy with fever of 39.0 C and a runny nose.",),
    ],
)
def test_febrile_seizure_guards(lines: tuple[str, ...]) -> None:
    assert _label(_note(*lines), "History of febrile seizures", "exclusion") == "not excluded"


# 4. Cervical length (ACOG Practice Bulletin 234, 2021)

AT_22 = "A 25-year-old G1P0 at 22 weeks' gestation."


@pytest.mark.parametrize(
    ("line", "criterion", "kind", "label"),
    [
        (
            "Transvaginal ultrasound: cervical length 18 mm.",
            "Cervical length < 25 mm",
            "inclusion",
            "included",
        ),
        (
            "Transvaginal ultrasound: cervical length 35 mm.",
            "Cervical length < 25 mm",
            "inclusion",
            "not included",
        ),
        (
            "The cervix is 1.5 cm long on transvaginal ultrasound.",
            "Cervical length < 25 mm",
            "inclusion",
            "included",
        ),
        ("Cervical length measured 2.2 cm.", "Cervical length of 20 mm or less", "inclusion", "not included"),
        (
            "Cervical length measured 19 mm.",
            "Cervical length of 20 mm or less on transvaginal ultrasound",
            "inclusion",
            "included",
        ),
        ("Cervical length measured 19 mm.", "Cervical length ≤ 25 mm", "exclusion", "excluded"),
        ("Cervical length measured 31 mm.", "Cervical length ≤ 25 mm", "exclusion", "not excluded"),
        ("Transvaginal ultrasound: cervical length 18 mm.", "Short cervix", "inclusion", "included"),
        ("The cervix is 1.5 cm long on transvaginal ultrasound.", "Short cervix", "exclusion", "excluded"),
        ("Transvaginal ultrasound: cervical length 38 mm.", "Short cervix", "inclusion", "not included"),
        ("Transvaginal ultrasound: cervical length 38 mm.", "Shortened cervix", "exclusion", "not excluded"),
    ],
)
def test_cervical_length(line: str, criterion: str, kind: str, label: str) -> None:
    assert _label(_note(AT_22, line), criterion, kind) == label


def test_cervical_length_guard_without_a_measure() -> None:
    assert _label(
        _note(AT_22, "Ultrasound shows a single live fetus."), "Cervical length < 25 mm", "inclusion"
    ) == ("not enough information")


# 5. A diagnosis confirmed by imaging, when the note gives the scan that establishes it

APPENDICITIS_CT = (
    "A 22-year-old man with right lower quadrant pain.",
    "CT shows a dilated appendix with periappendiceal fat stranding.",
)
APPENDICITIS_CLINICAL = (
    "A 22-year-old man with right lower quadrant pain, diagnosed clinically with acute appendicitis.",
)


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        (APPENDICITIS_CT, "Acute appendicitis confirmed by imaging", "inclusion", "included"),
        (APPENDICITIS_CT, "Radiologic evidence of appendicitis", "inclusion", "included"),
        (APPENDICITIS_CT, "Appendicitis, confirmed by CT or ultrasound", "inclusion", "included"),
        (
            (
                "A 9-year-old girl with fever and abdominal pain.",
                "Ultrasound: non-compressible appendix measuring 9 mm.",
            ),
            "Acute appendicitis confirmed by ultrasound",
            "inclusion",
            "included",
        ),
        (
            ("A 70-year-old man with fever and cough.", "Chest X-ray shows right lower lobe consolidation."),
            "Community-acquired pneumonia confirmed by chest radiograph",
            "inclusion",
            "included",
        ),
        (
            (
                "A 58-year-old woman with dyspnea.",
                "CT pulmonary angiography shows filling defects in the right pulmonary arteries.",
            ),
            "Radiographically confirmed pulmonary embolism",
            "inclusion",
            "included",
        ),
        # a diagnosis only named clinically, or a normal scan, leaves the confirmation open
        (
            APPENDICITIS_CLINICAL,
            "Acute appendicitis confirmed by imaging",
            "inclusion",
            "not enough information",
        ),
        (APPENDICITIS_CLINICAL, "Radiologic evidence of appendicitis", "inclusion", "not enough information"),
        (
            ("A 70-year-old man with fever and cough, treated for pneumonia.",),
            "Pneumonia confirmed by chest X-ray",
            "inclusion",
            "not enough information",
        ),
        (
            (
                "A 22-year-old man with right lower quadrant pain.",
                "CT shows a normal appendix; no periappendiceal fluid.",
            ),
            "Acute appendicitis confirmed by imaging",
            "inclusion",
            "not enough information",
        ),
        # the confirmation met, the rest of the criterion still judged
        (
            APPENDICITIS_CT,
            "Perforated appendicitis confirmed by imaging",
            "inclusion",
            "not enough information",
        ),
    ],
)
def test_diagnosis_confirmed_by_imaging(
    lines: tuple[str, ...], criterion: str, kind: str, label: str
) -> None:
    assert _label(_note(*lines), criterion, kind) == label


def test_confirmation_reason_names_the_imaging_finding() -> None:
    verdict = judge(_note(*APPENDICITIS_CT), "Acute appendicitis confirmed by imaging", "inclusion")  # type: ignore[arg-type]
    assert verdict.reason == "An imaging finding in the note establishes appendicitis."
    assert verdict.evidence is not None and "dilated appendix" in verdict.evidence


# More phrasings of the same classes

AT_28 = "A 34-year-old G3P2 at 28 weeks' gestation."


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        # glucose tests written in other ways
        (
            (AT_28, "OGTT (75 g): fasting 5.2 mmol/L, 1 h 9.0 mmol/L, 2 h 7.5 mmol/L."),
            GDM,
            "inclusion",
            "included",
        ),
        (
            (AT_28, "Oral glucose tolerance test: fasting plasma glucose 101 mg/dL."),
            GDM,
            "inclusion",
            "included",
        ),
        (
            (AT_28, "She underwent a 2-hour 75-g OGTT with values of 85, 175 and 150 mg/dL."),
            GDM,
            "inclusion",
            "not included",
        ),
        (
            (
                AT_28,
                "Her glucose challenge test (50 g) was 162 mg/dL and she failed the 3-hour test with "
                "values 101, 198, 172 and 128.",
            ),
            GDM,
            "inclusion",
            "included",
        ),
        (
            (AT_28, "Three-hour OGTT: fasting 92, one-hour 170, two-hour 158 and three-hour 142 mg/dL."),
            GDM,
            "inclusion",
            "included",
        ),
        (
            (AT_28, "Three-hour OGTT: fasting 92, one-hour 170, two-hour 158 and three-hour 122 mg/dL."),
            GDM,
            "inclusion",
            "not included",
        ),
        # diabetes from before the pregnancy is not the gestational kind
        (
            (AT_28, "She was diagnosed with gestational diabetes after an abnormal glucose tolerance test."),
            "Pre-gestational diabetes",
            "exclusion",
            "not excluded",
        ),
        (
            (AT_28, NO_DIABETES, "A 75 g OGTT showed fasting 96, 1-hour 192 and 2-hour 160 mg/dL."),
            "Pregestational diabetes (type 1 or type 2)",
            "exclusion",
            "not excluded",
        ),
        (
            (AT_28, "She has gestational diabetes treated with insulin."),
            "Pre-existing diabetes mellitus",
            "inclusion",
            "not included",
        ),
        (
            (AT_28, "She has type 1 diabetes on an insulin pump."),
            "Pre-existing diabetes",
            "exclusion",
            "excluded",
        ),
        # rupture of membranes with the weeks written "30+2"
        (
            (
                "A 26-year-old primigravida at 30+2 weeks presents with watery vaginal discharge.",
                "Speculum exam confirmed pooling of amniotic fluid and a positive fern test.",
            ),
            "PPROM",
            "inclusion",
            "included",
        ),
        # a febrile seizure is not epilepsy
        (
            (
                "A 20-month-old boy presented after a 2-minute generalized tonic-clonic seizure during a "
                "fever of 39.4 °C.",
            ),
            "Epilepsy",
            "exclusion",
            "not excluded",
        ),
        (
            (
                "A 3-year-old girl had a seizure.",
                "Temperature 38.4 C.",
                "She has known epilepsy on levetiracetam.",
            ),
            "Epilepsy",
            "exclusion",
            "excluded",
        ),
        # imaging confirmation written in other ways
        (
            (
                "A 45-year-old woman with calf pain.",
                "Compression ultrasound shows thrombus in the left femoral vein.",
            ),
            "Deep vein thrombosis confirmed by compression ultrasonography",
            "inclusion",
            "included",
        ),
        (
            ("A 45-year-old woman with calf pain and swelling, diagnosed with DVT.",),
            "Deep vein thrombosis confirmed by compression ultrasonography",
            "inclusion",
            "not enough information",
        ),
        (
            (
                "A 50-year-old man with RUQ pain.",
                "Ultrasound shows gallbladder wall thickening and pericholecystic fluid.",
            ),
            "Acute cholecystitis confirmed by ultrasound",
            "inclusion",
            "included",
        ),
        (
            (
                "A 67-year-old man with fever and cough.",
                "Chest CT demonstrates bilateral lower lobe consolidation.",
            ),
            "Pneumonia documented by chest imaging",
            "inclusion",
            "included",
        ),
        (
            ("A 67-year-old man with fever and cough.", "Chest radiograph: right lower lobe consolidation."),
            "Pneumonia with radiographic confirmation",
            "exclusion",
            "excluded",
        ),
        # "us" is no ultrasound
        (
            ("A 22-year-old man with right lower quadrant pain; he told us he has acute appendicitis.",),
            "Acute appendicitis confirmed by imaging",
            "inclusion",
            "not enough information",
        ),
        # an exclusion still forgives the confirmation of a diagnosis the note names
        (
            ("A 45-year-old woman with calf pain and swelling, diagnosed with DVT.",),
            "DVT confirmed by ultrasound",
            "exclusion",
            "excluded",
        ),
    ],
)
def test_more_phrasings(lines: tuple[str, ...], criterion: str, kind: str, label: str) -> None:
    assert _label(_note(*lines), criterion, kind) == label


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        # the weeks after a challenge test are not its glucose value
        (
            (AT_28, "Her glucose challenge test at 26 weeks was 118 mg/dL."),
            GDM,
            "exclusion",
            "not excluded",
        ),
        # the range of motion (ROM) of a pregnant woman's knee is no rupture of membranes
        (
            ("A 30-year-old G2P1 at 30 weeks' gestation with a painful left knee.", "Knee ROM is reduced."),
            PPROM,
            "exclusion",
            "not excluded",
        ),
        # a cervix dilated 2 cm is not a cervical length of 20 mm
        (
            ("A 28-year-old G2P1 at 33 weeks' gestation with contractions.", "The cervix is 2 cm dilated."),
            "Cervical length < 25 mm",
            "inclusion",
            "not enough information",
        ),
        (
            ("A 28-year-old G2P1 at 33 weeks' gestation with contractions.", "The cervix is 2 cm dilated."),
            "Short cervix",
            "exclusion",
            "not excluded",
        ),
        # "fit and well" is no seizure; a seizure a year ago is not the fever's
        (
            ("A 2-year-old boy, previously fit and well, with a fever of 39.1 C and cough.",),
            "History of febrile seizures",
            "exclusion",
            "not excluded",
        ),
        (
            (
                "A 3-year-old girl had one seizure at the age of 2.",
                "She has been well since.",
                "Her growth is normal.",
                "She now presents with 2 days of fever, temperature 38.9 C, and ear pain.",
            ),
            "History of febrile seizures",
            "exclusion",
            "not excluded",
        ),
    ],
)
def test_what_is_not_these_findings(lines: tuple[str, ...], criterion: str, kind: str, label: str) -> None:
    assert _label(_note(*lines), criterion, kind) == label
