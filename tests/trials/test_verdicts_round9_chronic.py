"""Chronic disease and medicines (round 9): probe cases written for these tests, in vignette style, with the
label an experienced clinician-annotator would give. Endocrine and diabetes, kidney, liver and gut,
neurology, psychiatry, rheumatology and blood; medicines by name and class, doses and windows, allergies,
lab values with units and multiples of the upper limit of normal, scores. Guards: silence keeps the
default, negation, a relative's illness, a past illness that is not a current one.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

CONSENT = (
    "The patient will provide informed consent, and will comply with the trial protocol without any "
    "practical issues."
)


def _note(*lines: str) -> object:
    return read_note("\n".join(f"{i}. {line}" for i, line in enumerate((*lines, CONSENT))))


DIABETES = _note(
    "A 58-year-old man with a 12-year history of type 2 diabetes mellitus on metformin 1000 mg twice daily "
    "and sitagliptin 100 mg daily presents for routine follow-up.",
    "His HbA1c is 8.4% and fasting plasma glucose 162 mg/dL.",
    "Blood pressure is 138/84 mmHg; eGFR 52 mL/min/1.73 m2.",
    "He has never had diabetic ketoacidosis. He has no known drug allergies.",
)

KIDNEY = _note(
    "A 71-year-old woman with stage 4 chronic kidney disease due to diabetic nephropathy is seen in the "
    "nephrology clinic.",
    "Creatinine 2.9 mg/dL, eGFR 21 mL/min/1.73 m2, potassium 5.1 mmol/L.",
    "Her medications are insulin glargine, furosemide 40 mg daily, amlodipine and atorvastatin.",
    "She is not on dialysis.",
)

LIVER = _note(
    "A 54-year-old man with alcohol-related cirrhosis, Child-Pugh class B, is referred for evaluation; he "
    "stopped drinking 8 months ago.",
    "Labs: total bilirubin 2.6 mg/dL, albumin 2.9 g/dL, INR 1.6, ALT 48 U/L, AST 92 U/L, "
    "platelets 88,000/uL.",
    "He had hepatitis C, treated with sofosbuvir-velpatasvir, with a sustained virological response.",
    "Medications: propranolol, spironolactone and lactulose.",
)

HEPATITIS = _note(
    "A 39-year-old woman presents with 2 weeks of fatigue and jaundice after a course of "
    "amoxicillin-clavulanate.",
    "ALT 410 U/L, AST 322 U/L, total bilirubin 0.9 mg/dL.",
)

PARKINSON = _note(
    "A 68-year-old man with idiopathic Parkinson disease diagnosed 5 years ago, Hoehn and Yahr stage 2, "
    "takes carbidopa-levodopa 25/100 mg three times daily and rasagiline 1 mg daily.",
    "His MMSE score is 27/30.",
    "His brother has Alzheimer disease.",
    "He has no history of stroke or seizures.",
)

DEPRESSION = _note(
    "A 34-year-old woman with recurrent major depressive disorder, current episode for 3 months, has a "
    "PHQ-9 score of 18.",
    "She has taken sertraline 100 mg daily for 8 weeks with only a partial response.",
    "She denies suicidal ideation and has no history of mania or psychosis.",
    "She drinks alcohol socially and does not use illicit drugs.",
    "Her mother has bipolar disorder.",
)

RHEUMATOID = _note(
    "A 49-year-old woman with seropositive rheumatoid arthritis for 7 years has a DAS28-CRP of 5.4 despite "
    "methotrexate 20 mg weekly for 6 months.",
    "She previously received adalimumab, stopped after 1 year for loss of response.",
    "She takes prednisone 5 mg daily.",
    "CRP 24 mg/L. A QuantiFERON-TB Gold test is negative.",
)

SICKLE = _note(
    "A 27-year-old man with sickle cell disease (HbSS) on hydroxyurea 1000 mg daily presents with a "
    "vaso-occlusive crisis, his third in the past 12 months.",
    "Hemoglobin 7.8 g/dL, reticulocytes 9%.",
    "He received a red cell transfusion 2 weeks ago.",
)

GRAVES = _note(
    "A 45-year-old woman with Graves disease diagnosed 4 months ago takes methimazole 20 mg daily.",
    "Free T4 2.1 ng/dL, TSH < 0.01 mIU/L.",
    "She is allergic to penicillin (rash).",
)

CROHN = _note(
    "A 26-year-old man with ileal Crohn disease diagnosed 2 years ago is maintained on azathioprine "
    "150 mg daily.",
    "He was previously treated with infliximab, stopped because of an infusion reaction.",
    "He had a duodenal ulcer 10 years ago that healed with treatment.",
    "He smoked for 5 years and quit 3 years ago.",
)

LUPUS = _note(
    "A 31-year-old woman with systemic lupus erythematosus diagnosed 3 years ago and class IV lupus "
    "nephritis takes hydroxychloroquine 400 mg daily and mycophenolate mofetil 1 g twice daily.",
    "eGFR 74 mL/min/1.73 m2. Her mother had a deep vein thrombosis.",
)

MIGRAINE = _note(
    "A 36-year-old woman with chronic migraine, 16 headache days a month, takes topiramate 50 mg twice daily "
    "for prevention.",
    "She has no other medical history.",
)

HEALTHY_LIVER = _note(
    "A 62-year-old man with hypertension on lisinopril presents with knee pain.",
    "Labs: ALT 31 U/L, AST 28 U/L, total bilirubin 0.8 mg/dL, HbA1c 64 mmol/mol.",
    "Blood pressure 152/94 mmHg.",
    "He denies diabetes. He drinks two glasses of wine a week.",
)

HEART_KIDNEY = _note(
    "A 66-year-old man with heart failure with reduced ejection fraction (LVEF 30%) and stage 3a chronic "
    "kidney disease takes sacubitril-valsartan, carvedilol, dapagliflozin 10 mg and furosemide.",
    "He has no history of diabetes.",
    "Potassium 4.8 mmol/L, eGFR 48 mL/min/1.73 m2.",
)

EPILEPSY = _note(
    "A 24-year-old woman with focal epilepsy since age 15 has 4 focal seizures a month despite levetiracetam "
    "1500 mg twice daily and lamotrigine 200 mg daily.",
    "MRI of the brain shows left mesial temporal sclerosis.",
    "She is allergic to carbamazepine (rash).",
)

COLITIS = _note(
    "A 47-year-old woman with ulcerative colitis diagnosed 6 years ago has a flare with 8 bloody stools a "
    "day despite mesalamine 4.8 g daily; her Mayo score is 10.",
    "She has never received biologic therapy.",
    "She took prednisone 40 mg daily, tapered and stopped 3 weeks ago.",
)

ALZHEIMER = _note(
    "An 82-year-old woman with Alzheimer dementia (MMSE 16/30) living in a nursing home takes donepezil "
    "10 mg and levothyroxine 75 mcg daily.",
    "Her hypertension is treated with hydrochlorothiazide.",
    "Her daughter has depression.",
)

GOUT = _note(
    "A 52-year-old man with gout and type 2 diabetes takes allopurinol 300 mg daily and colchicine as "
    "needed.",
    "He is allergic to aspirin (angioedema) and to sulfa drugs.",
    "Serum uric acid 8.9 mg/dL.",
)

ALCOHOL = _note(
    "A 41-year-old man with alcohol use disorder is admitted for alcohol withdrawal; he has drunk 12 beers a "
    "day for 10 years.",
    "He smokes one pack of cigarettes a day and uses cannabis weekly.",
    "AST 156 U/L, ALT 64 U/L, GGT 420 U/L.",
    "He has no history of seizures.",
)

TYPE1 = _note(
    "A 14-year-old boy with type 1 diabetes diagnosed 5 years ago uses an insulin pump; HbA1c 9.1%.",
    "He had an episode of severe hypoglycemia 2 months ago.",
)

THROMBOCYTOPENIA = _note(
    "A 38-year-old woman has had chronic immune thrombocytopenia for 3 years; platelet count 22 x 10^9/L.",
    "She was previously treated with prednisone and IVIG and now takes eltrombopag 50 mg daily.",
)

FIBRILLATION = _note(
    "A 74-year-old man with permanent atrial fibrillation takes apixaban 5 mg twice daily.",
    "He had a gastrointestinal bleed 2 years ago.",
)


NEUROPATHY = _note(
    "A 61-year-old woman with type 2 diabetes for 15 years has painful diabetic peripheral neuropathy with "
    "burning feet, treated with pregabalin 75 mg twice daily.",
    "Mild nonproliferative diabetic retinopathy was seen on her annual eye examination.",
    "She takes metformin 1000 mg twice daily for 2 years and prednisone 40 mg daily for a gout flare.",
    "BMI 34 kg/m2. Blood pressure 152/94 mmHg. HbA1c 7.9%.",
    "Her brother has type 1 diabetes. She has no history of pancreatitis.",
)

ANXIETY = _note(
    "A 29-year-old man with generalized anxiety disorder takes escitalopram 10 mg daily.",
    "He also has Hashimoto thyroiditis on levothyroxine, with a TSH of 2.1 mIU/L.",
    "His father has schizophrenia.",
)

SCHIZOAFFECTIVE = _note(
    "A 44-year-old man with schizoaffective disorder is treated with long-acting paliperidone injections.",
    "His major depression has been in remission for 2 years.",
)

CHILD_PUGH = _note(
    "A 59-year-old woman with cirrhosis due to nonalcoholic steatohepatitis, Child-Pugh class B, takes "
    "lactulose.",
    "There is no ascites on ultrasound. HBsAg negative.",
    "INR 1.6, albumin 2.9 g/dL, ALT 48 U/L, potassium 5.1 mmol/L, creatinine clearance 25 mL/min.",
)


CHILD_RASH = _note(
    "A 6-year-old boy is brought in because his mother has noticed a rash on his legs for 3 days.",
    "His father has type 1 diabetes.",
)

MULTIPLE_SCLEROSIS = _note(
    "A 35-year-old woman with relapsing-remitting multiple sclerosis diagnosed 4 years ago, EDSS 3.0, takes "
    "ocrelizumab every 6 months.",
    "Her last relapse was 8 months ago.",
    "She has a history of depression, now in remission, and no suicidal ideation.",
)

ADRENAL = _note(
    "A 42-year-old man with primary adrenal insufficiency takes hydrocortisone 15 mg daily and "
    "fludrocortisone.",
    "He also has celiac disease on a gluten-free diet and gastroesophageal reflux treated with omeprazole.",
)

DIALYSIS = _note(
    "A 57-year-old man with end-stage renal disease from IgA nephropathy has been on hemodialysis three "
    "times a week for 2 years.",
    "He is on the waiting list for a kidney transplant. Hemoglobin 10.1 g/dL on darbepoetin.",
)

HEMOPHILIA = _note(
    "A 22-year-old man with severe hemophilia A receives emicizumab prophylaxis weekly.",
    "He has chronic hepatitis C acquired from blood products, never treated.",
)


NEPHROTIC = _note(
    "A 45-year-old man with membranous nephropathy and nephrotic syndrome received rituximab 1 year ago and "
    "IVIG 2 months ago.",
    "Warfarin was stopped 5 days ago; he now takes enoxaparin 80 mg twice daily.",
    "Creatinine 2.4 mg/dL, bilirubin 60 umol/L, Hb 95 g/L, platelets 88,000/uL.",
    "LDL cholesterol 3.4 mmol/L, fasting glucose 7.8 mmol/L.",
    "He takes oxycodone 10 mg twice daily for back pain for 2 years and lorazepam 1 mg at night.",
    "He has injected evolocumab every 2 weeks since March.",
)


CASES = [
    # diabetes: diagnosis, duration, control, medicines by class
    (
        DIABETES,
        "Type 2 diabetes mellitus diagnosed at least 6 months before screening",
        "inclusion",
        "included",
    ),
    (DIABETES, "HbA1c between 7.0% and 10.5% at screening", "inclusion", "included"),
    (DIABETES, "HbA1c ≥ 9.0%", "inclusion", "not included"),
    (DIABETES, "Diagnosed with type 2 diabetes within the past 2 years", "inclusion", "not included"),
    (DIABETES, "Currently treated with metformin", "inclusion", "included"),
    (DIABETES, "Type 1 diabetes mellitus", "exclusion", "not excluded"),
    (DIABETES, "eGFR < 30 mL/min/1.73 m2", "exclusion", "not excluded"),
    (DIABETES, "eGFR ≥ 60 mL/min/1.73 m2", "inclusion", "not included"),
    (DIABETES, "Current use of insulin", "exclusion", "not excluded"),
    (
        DIABETES,
        "Treatment with a GLP-1 receptor agonist within 3 months before screening",
        "exclusion",
        "not excluded",
    ),
    (DIABETES, "Current treatment with a DPP-4 inhibitor", "exclusion", "excluded"),
    (
        DIABETES,
        "Uncontrolled hypertension (systolic BP > 160 mmHg or diastolic BP > 100 mmHg)",
        "exclusion",
        "not excluded",
    ),
    (DIABETES, "History of diabetic ketoacidosis", "exclusion", "not excluded"),
    (DIABETES, "Known hypersensitivity to sulfonylureas", "exclusion", "not excluded"),
    # kidney
    (KIDNEY, "Chronic kidney disease with eGFR 15-44 mL/min/1.73 m2", "inclusion", "included"),
    (KIDNEY, "Receiving maintenance dialysis", "exclusion", "not excluded"),
    (KIDNEY, "Serum potassium > 5.5 mmol/L", "exclusion", "not excluded"),
    (KIDNEY, "Treated with a loop diuretic", "inclusion", "included"),
    (KIDNEY, "Diabetes mellitus", "inclusion", "included"),
    (KIDNEY, "Kidney transplant recipient", "exclusion", "not excluded"),
    (KIDNEY, "Use of an SGLT2 inhibitor within 8 weeks prior to randomization", "exclusion", "not excluded"),
    (KIDNEY, "Renal impairment", "exclusion", "excluded"),
    (KIDNEY, "On statin therapy", "inclusion", "included"),
    (KIDNEY, "Serum creatinine ≤ 1.5 mg/dL", "inclusion", "not included"),
    # liver
    (LIVER, "Total bilirubin > 3 mg/dL", "exclusion", "not excluded"),
    (LIVER, "AST or ALT > 5 x ULN", "exclusion", "not excluded"),
    (LIVER, "Active alcohol abuse", "exclusion", "not excluded"),
    (LIVER, "Liver cirrhosis of any etiology", "inclusion", "included"),
    (LIVER, "Active hepatitis C infection", "exclusion", "not excluded"),
    (LIVER, "Platelet count < 50,000/mm3", "exclusion", "not excluded"),
    (LIVER, "Serum albumin ≥ 3.5 g/dL", "inclusion", "not included"),
    (LIVER, "Current treatment with a beta-blocker", "inclusion", "included"),
    (LIVER, "Hepatocellular carcinoma", "exclusion", "not excluded"),
    (LIVER, "Chronic liver disease", "inclusion", "included"),
    (HEPATITIS, "ALT > 3 x ULN", "exclusion", "excluded"),
    (HEPATITIS, "Total bilirubin > 1.5 x ULN", "exclusion", "not excluded"),
    (HEALTHY_LIVER, "ALT or AST > 2.5 times the upper limit of normal", "exclusion", "not excluded"),
    # neurology
    (
        PARKINSON,
        "Idiopathic Parkinson's disease diagnosed at least 3 years before screening",
        "inclusion",
        "included",
    ),
    (PARKINSON, "Dementia (MMSE < 24)", "exclusion", "not excluded"),
    (PARKINSON, "MMSE score ≥ 26", "inclusion", "included"),
    (PARKINSON, "Alzheimer's disease", "exclusion", "not excluded"),
    (PARKINSON, "History of stroke", "exclusion", "not excluded"),
    (PARKINSON, "Epilepsy", "exclusion", "not excluded"),
    (
        PARKINSON,
        "Use of monoamine oxidase inhibitors within 14 days before screening",
        "exclusion",
        "excluded",
    ),
    (PARKINSON, "Treated with levodopa", "inclusion", "included"),
    (MIGRAINE, "Migraine with or without aura", "inclusion", "included"),
    (MIGRAINE, "Epilepsy or seizure disorder", "exclusion", "not excluded"),
    (MIGRAINE, "Current use of topiramate", "exclusion", "excluded"),
    # psychiatry
    (DEPRESSION, "Major depressive disorder according to DSM-5 criteria", "inclusion", "included"),
    (DEPRESSION, "PHQ-9 score ≥ 15", "inclusion", "included"),
    (DEPRESSION, "PHQ-9 score ≥ 20", "inclusion", "not included"),
    (DEPRESSION, "Bipolar disorder", "exclusion", "not excluded"),
    (DEPRESSION, "Active suicidal ideation", "exclusion", "not excluded"),
    (DEPRESSION, "Currently taking a selective serotonin reuptake inhibitor", "inclusion", "included"),
    (DEPRESSION, "Substance use disorder within the past 12 months", "exclusion", "not excluded"),
    (DEPRESSION, "History of psychotic disorder", "exclusion", "not excluded"),
    (DEPRESSION, "Hamilton Depression Rating Scale score ≥ 20", "inclusion", "not enough information"),
    # rheumatology
    (RHEUMATOID, "Rheumatoid arthritis for at least 6 months", "inclusion", "included"),
    (RHEUMATOID, "DAS28-CRP > 5.1", "inclusion", "included"),
    (RHEUMATOID, "Prior treatment with a TNF inhibitor", "inclusion", "included"),
    (RHEUMATOID, "Previous exposure to any biologic DMARD", "exclusion", "excluded"),
    (RHEUMATOID, "Receiving methotrexate", "inclusion", "included"),
    (RHEUMATOID, "Latent or active tuberculosis", "exclusion", "not excluded"),
    (RHEUMATOID, "Systemic lupus erythematosus", "exclusion", "not excluded"),
    (
        RHEUMATOID,
        "Oral corticosteroids at a dose above 10 mg/day of prednisone or equivalent",
        "exclusion",
        "not excluded",
    ),
    (RHEUMATOID, "Inflammatory arthritis", "inclusion", "included"),
    (LUPUS, "Systemic lupus erythematosus", "inclusion", "included"),
    (LUPUS, "Currently receiving an antimalarial", "inclusion", "included"),
    (LUPUS, "Prior treatment with cyclophosphamide", "exclusion", "not excluded"),
    (LUPUS, "Personal history of venous thromboembolism", "exclusion", "not excluded"),
    (LUPUS, "Immunosuppressive therapy", "exclusion", "excluded"),
    # blood
    (SICKLE, "Sickle cell anemia (HbSS or HbSβ0-thalassemia)", "inclusion", "included"),
    (SICKLE, "Anemia", "inclusion", "included"),
    (SICKLE, "Red blood cell transfusion within the past 30 days", "exclusion", "excluded"),
    (SICKLE, "Hemoglobin < 6 g/dL", "exclusion", "not excluded"),
    (SICKLE, "Receiving hydroxyurea", "inclusion", "included"),
    # thyroid, allergies
    (GRAVES, "Hyperthyroidism", "inclusion", "included"),
    (GRAVES, "Known allergy to penicillin", "exclusion", "excluded"),
    (GRAVES, "Known hypersensitivity to sulfonamides", "exclusion", "not excluded"),
    (GRAVES, "Hypothyroidism", "exclusion", "not excluded"),
    (GRAVES, "Treatment with an antithyroid drug", "inclusion", "included"),
    # gut
    (CROHN, "Inflammatory bowel disease", "inclusion", "included"),
    (CROHN, "Ulcerative colitis", "exclusion", "not excluded"),
    (CROHN, "Prior anti-TNF therapy", "exclusion", "excluded"),
    (CROHN, "Immunosuppressive therapy", "exclusion", "excluded"),
    (CROHN, "Active peptic ulcer disease", "exclusion", "not excluded"),
    (CROHN, "History of peptic ulcer disease", "exclusion", "excluded"),
    (CROHN, "Current smoker", "exclusion", "not excluded"),
    # guards and values on a patient without those diseases
    (HEALTHY_LIVER, "HbA1c between 7.0% and 10.0%", "inclusion", "included"),
    (HEALTHY_LIVER, "Systolic blood pressure ≥ 140 mmHg", "inclusion", "included"),
    (HEALTHY_LIVER, "Diabetes mellitus", "exclusion", "not excluded"),
    (HEALTHY_LIVER, "Alcohol consumption of more than 14 units per week", "exclusion", "not excluded"),
    (HEALTHY_LIVER, "Treated with an ACE inhibitor", "inclusion", "included"),
    (HEALTHY_LIVER, "Chronic kidney disease", "exclusion", "not excluded"),
    (HEALTHY_LIVER, "Osteoarthritis of the knee", "inclusion", "not enough information"),
    # heart failure with kidney disease: an SGLT2 inhibitor does not say diabetes
    (HEART_KIDNEY, "Type 2 diabetes mellitus", "exclusion", "not excluded"),
    (HEART_KIDNEY, "Current treatment with an SGLT2 inhibitor", "exclusion", "excluded"),
    (HEART_KIDNEY, "Treatment with any antidiabetic medication", "exclusion", "not excluded"),
    (HEART_KIDNEY, "LVEF ≤ 40%", "inclusion", "included"),
    (HEART_KIDNEY, "Treatment with an angiotensin receptor blocker", "inclusion", "included"),
    (HEART_KIDNEY, "eGFR < 30 mL/min/1.73 m2", "exclusion", "not excluded"),
    (HEART_KIDNEY, "Chronic kidney disease", "inclusion", "included"),
    # epilepsy
    (EPILEPSY, "Focal epilepsy", "inclusion", "included"),
    (EPILEPSY, "Status epilepticus within the past year", "exclusion", "not excluded"),
    (EPILEPSY, "Known hypersensitivity to carbamazepine", "exclusion", "excluded"),
    (EPILEPSY, "Psychogenic non-epileptic seizures", "exclusion", "not excluded"),
    (EPILEPSY, "Currently taking carbamazepine or phenytoin", "exclusion", "not excluded"),
    (EPILEPSY, "Treated with at least one antiepileptic drug", "inclusion", "included"),
    # ulcerative colitis
    (COLITIS, "Moderately to severely active ulcerative colitis (Mayo score 6-12)", "inclusion", "included"),
    (COLITIS, "Mayo score ≥ 11", "inclusion", "not included"),
    (COLITIS, "Prior treatment with a TNF inhibitor", "exclusion", "not excluded"),
    (COLITIS, "Systemic corticosteroids within 2 weeks before screening", "exclusion", "not excluded"),
    (COLITIS, "Systemic corticosteroids within 4 weeks before screening", "exclusion", "excluded"),
    (COLITIS, "Crohn's disease", "exclusion", "not excluded"),
    (COLITIS, "Clostridioides difficile infection", "exclusion", "not excluded"),
    (COLITIS, "Taking an aminosalicylate", "inclusion", "included"),
    (COLITIS, "Inflammatory bowel disease", "inclusion", "included"),
    # dementia
    (ALZHEIMER, "Probable Alzheimer's disease according to NIA-AA criteria", "inclusion", "included"),
    (ALZHEIMER, "MMSE score between 10 and 20", "inclusion", "included"),
    (ALZHEIMER, "MMSE score ≥ 20", "inclusion", "not included"),
    (ALZHEIMER, "Major depression", "exclusion", "not excluded"),
    (ALZHEIMER, "Currently treated with a cholinesterase inhibitor", "inclusion", "included"),
    (ALZHEIMER, "Mild cognitive impairment", "exclusion", "not excluded"),
    (ALZHEIMER, "Use of thiazide diuretics", "exclusion", "excluded"),
    (ALZHEIMER, "Hypothyroidism", "inclusion", "included"),
    # gout and drug allergies
    (GOUT, "Known allergy to aspirin or other NSAIDs", "exclusion", "excluded"),
    (GOUT, "Gout", "inclusion", "included"),
    (GOUT, "Serum uric acid ≥ 8 mg/dL", "inclusion", "included"),
    (GOUT, "Serum uric acid ≥ 10 mg/dL", "inclusion", "not included"),
    (GOUT, "Current urate-lowering therapy", "inclusion", "included"),
    (GOUT, "Current use of aspirin", "exclusion", "not excluded"),
    (GOUT, "Known hypersensitivity to sulfonamides", "exclusion", "excluded"),
    # substance use
    (ALCOHOL, "Alcohol dependence", "inclusion", "included"),
    (ALCOHOL, "Current tobacco use", "exclusion", "excluded"),
    (ALCOHOL, "Cannabis use within the past 30 days", "exclusion", "excluded"),
    (ALCOHOL, "History of alcohol withdrawal seizures", "exclusion", "not excluded"),
    # 156 U/L is 3 x ULN for a laboratory printing 52 U/L: laboratories differ, the engine leaves it open
    (ALCOHOL, "AST > 3 x ULN", "exclusion", "not enough information"),
    (ALCOHOL, "AST > 2 x ULN", "exclusion", "excluded"),
    (ALCOHOL, "Opioid use disorder", "exclusion", "not excluded"),
    # type 1 diabetes in a teenager
    (TYPE1, "Type 1 diabetes for at least 1 year", "inclusion", "included"),
    (TYPE1, "Severe hypoglycemia within the past 6 months", "exclusion", "excluded"),
    (TYPE1, "HbA1c ≤ 10%", "inclusion", "included"),
    (TYPE1, "Type 2 diabetes", "exclusion", "not excluded"),
    # blood
    (THROMBOCYTOPENIA, "Platelet count < 30 x 10^9/L", "inclusion", "included"),
    (THROMBOCYTOPENIA, "Prior treatment with a thrombopoietin receptor agonist", "exclusion", "excluded"),
    (THROMBOCYTOPENIA, "Immune thrombocytopenia for more than 12 months", "inclusion", "included"),
    (THROMBOCYTOPENIA, "Prior splenectomy", "exclusion", "not excluded"),
    (FIBRILLATION, "Current anticoagulant therapy", "exclusion", "excluded"),
    (FIBRILLATION, "Gastrointestinal bleeding within the past 6 months", "exclusion", "not excluded"),
    (FIBRILLATION, "History of gastrointestinal bleeding", "exclusion", "excluded"),
    (FIBRILLATION, "Treatment with warfarin", "exclusion", "not excluded"),
    # diabetes complications, doses, a relative's diabetes, BMI and blood pressure
    (NEUROPATHY, "Painful diabetic peripheral neuropathy", "inclusion", "included"),
    (NEUROPATHY, "Proliferative diabetic retinopathy", "exclusion", "not excluded"),
    (NEUROPATHY, "Epilepsy", "exclusion", "not excluded"),
    (NEUROPATHY, "Current use of gabapentin or pregabalin", "exclusion", "excluded"),
    (NEUROPATHY, "Prednisone ≥ 20 mg/day", "exclusion", "excluded"),
    (NEUROPATHY, "Family history of type 1 diabetes", "inclusion", "included"),
    (NEUROPATHY, "Type 1 diabetes", "exclusion", "not excluded"),
    (NEUROPATHY, "History of pancreatitis", "exclusion", "not excluded"),
    (NEUROPATHY, "Personal or family history of medullary thyroid carcinoma", "exclusion", "not excluded"),
    (NEUROPATHY, "BMI ≥ 30 kg/m2", "inclusion", "included"),
    (NEUROPATHY, "Blood pressure < 140/90 mmHg", "inclusion", "not included"),
    (NEUROPATHY, "Seated systolic blood pressure 130-180 mmHg", "inclusion", "included"),
    (NEUROPATHY, "No prior insulin therapy", "inclusion", "included"),
    (NEUROPATHY, "Insulin therapy", "exclusion", "not excluded"),
    # psychiatry with thyroid disease
    (ANXIETY, "Any psychiatric disorder", "exclusion", "excluded"),
    (ANXIETY, "Thyroid disease", "exclusion", "excluded"),
    (ANXIETY, "Schizophrenia", "exclusion", "not excluded"),
    (ANXIETY, "Family history of schizophrenia", "exclusion", "excluded"),
    (ANXIETY, "Current use of an SSRI", "exclusion", "excluded"),
    (ANXIETY, "Current use of an SNRI", "exclusion", "not excluded"),
    (ANXIETY, "TSH within the normal range", "inclusion", "included"),
    (SCHIZOAFFECTIVE, "Schizophrenia or schizoaffective disorder", "inclusion", "included"),
    (SCHIZOAFFECTIVE, "Treatment with an antipsychotic", "inclusion", "included"),
    (SCHIZOAFFECTIVE, "History of major depression", "exclusion", "excluded"),
    (SCHIZOAFFECTIVE, "Bipolar disorder", "exclusion", "not excluded"),
    # liver disease graded
    (CHILD_PUGH, "Child-Pugh class C", "exclusion", "not excluded"),
    (CHILD_PUGH, "Child-Pugh class A", "inclusion", "not included"),
    (CHILD_PUGH, "Nonalcoholic steatohepatitis", "inclusion", "included"),
    (CHILD_PUGH, "Hepatitis B surface antigen positive", "exclusion", "not excluded"),
    (CHILD_PUGH, "Refractory ascites", "exclusion", "not excluded"),
    (CHILD_PUGH, "INR > 1.5", "exclusion", "excluded"),
    (CHILD_PUGH, "Serum albumin < 2.8 g/dL", "exclusion", "not excluded"),
    (CHILD_PUGH, "ALT > 3 x ULN", "exclusion", "not excluded"),
    (CHILD_PUGH, "Potassium > 5.0 mmol/L", "exclusion", "excluded"),
    (CHILD_PUGH, "eGFR ≥ 30 mL/min/1.73 m2", "inclusion", "not included"),
    # a family history is a relative's illness, not the patient's own
    (DIABETES, "Family history of type 2 diabetes", "inclusion", "not enough information"),
    (THROMBOCYTOPENIA, "Family history of bleeding disorders", "exclusion", "not excluded"),
    (GOUT, "Personal or family history of gout", "exclusion", "excluded"),
    # a test result written right after the test
    (CHILD_PUGH, "Chronic hepatitis B infection", "exclusion", "not excluded"),
    (
        _note("A 50-year-old man with cirrhosis.", "HBsAg negative, HCV antibody positive."),
        "Hepatitis C infection",
        "exclusion",
        "excluded",
    ),
    # blood pressure limits written as a pair: both below, or either above
    (NEUROPATHY, "Blood pressure > 160/100 mmHg at screening", "exclusion", "not excluded"),
    (
        _note("A 70-year-old man with hypertension.", "Blood pressure 172/96 mmHg."),
        "BP > 160/100 mmHg",
        "exclusion",
        "excluded",
    ),
    (
        _note("A 70-year-old man with hypertension.", "Blood pressure 128/78 mmHg."),
        "Blood pressure < 140/90 mmHg",
        "inclusion",
        "included",
    ),
    # daily doses: the note's dose a day against the criterion's, corticosteroids as prednisone equivalents
    (NEUROPATHY, "Metformin at a dose of at least 1500 mg/day", "inclusion", "included"),
    (DIABETES, "Metformin ≥ 2500 mg/day", "inclusion", "not included"),
    (
        DIABETES,
        "Stable dose of metformin of at least 1500 mg/day for 3 months",
        "inclusion",
        "not enough information",
    ),
    (
        _note("A 66-year-old man with a glioma takes dexamethasone 4 mg daily."),
        "Corticosteroids > 10 mg/day of prednisone or equivalent",
        "exclusion",
        "excluded",
    ),
    (
        _note("A 58-year-old woman with polymyalgia rheumatica takes prednisolone 7.5 mg once daily."),
        "Prednisone > 10 mg/day or equivalent",
        "exclusion",
        "not excluded",
    ),
    (COLITIS, "Prednisone > 20 mg/day", "exclusion", "not excluded"),
    # a single lab asked within (or outside) its normal range
    (
        _note("A 50-year-old woman.", "Labs: sodium 128 mmol/L, potassium 4.1 mmol/L, TSH 9.8 mIU/L."),
        "Serum potassium within normal limits",
        "inclusion",
        "included",
    ),
    (
        _note("A 50-year-old woman.", "Labs: sodium 128 mmol/L, potassium 4.1 mmol/L, TSH 9.8 mIU/L."),
        "Abnormal serum sodium",
        "exclusion",
        "excluded",
    ),
    (
        _note("A 50-year-old woman.", "Labs: sodium 128 mmol/L, potassium 4.1 mmol/L, TSH 9.8 mIU/L."),
        "Normal TSH at screening",
        "inclusion",
        "not included",
    ),
    (
        _note("A 50-year-old woman.", "Labs: sodium 128 mmol/L, potassium 4.1 mmol/L, TSH 9.8 mIU/L."),
        "Serum sodium < 130 mmol/L",
        "exclusion",
        "excluded",
    ),
    # a relative who notices the patient's illness is not the one who has it
    (CHILD_RASH, "Rash", "inclusion", "included"),
    (CHILD_RASH, "Type 1 diabetes", "exclusion", "not excluded"),
    (CHILD_RASH, "Family history of type 1 diabetes", "inclusion", "included"),
    # multiple sclerosis
    (MULTIPLE_SCLEROSIS, "Relapsing multiple sclerosis", "inclusion", "included"),
    (MULTIPLE_SCLEROSIS, "EDSS score between 0 and 5.5", "inclusion", "included"),
    (MULTIPLE_SCLEROSIS, "EDSS ≥ 6.5", "exclusion", "not excluded"),
    (MULTIPLE_SCLEROSIS, "Relapse within 30 days before screening", "exclusion", "not excluded"),
    (MULTIPLE_SCLEROSIS, "Current suicidal ideation", "exclusion", "not excluded"),
    (MULTIPLE_SCLEROSIS, "History of depression", "exclusion", "excluded"),
    (
        MULTIPLE_SCLEROSIS,
        "Multiple sclerosis diagnosed at least 1 year before screening",
        "inclusion",
        "included",
    ),
    (MULTIPLE_SCLEROSIS, "Treatment with an anti-CD20 antibody", "inclusion", "included"),
    # adrenal insufficiency, celiac disease, reflux
    (ADRENAL, "Adrenal insufficiency", "inclusion", "included"),
    (ADRENAL, "Systemic corticosteroids above physiological replacement doses", "exclusion", "not excluded"),
    (ADRENAL, "Celiac disease", "exclusion", "excluded"),
    (ADRENAL, "Current use of a proton pump inhibitor", "exclusion", "excluded"),
    (ADRENAL, "Current use of an H2 receptor antagonist", "exclusion", "not excluded"),
    (ADRENAL, "Inflammatory bowel disease", "exclusion", "not excluded"),
    # dialysis
    # how long dialysis has gone on is a duration the engine does not compare here: left open
    (
        DIALYSIS,
        "End-stage renal disease on maintenance hemodialysis for at least 3 months",
        "inclusion",
        "not enough information",
    ),
    (DIALYSIS, "Hemoglobin < 9 g/dL", "exclusion", "not excluded"),
    (DIALYSIS, "Glomerulonephritis", "inclusion", "included"),
    (DIALYSIS, "eGFR ≥ 45 mL/min/1.73 m2", "inclusion", "not included"),
    # haemophilia
    # the factor level is not in the note
    (HEMOPHILIA, "Severe hemophilia A (factor VIII < 1%)", "inclusion", "not enough information"),
    (HEMOPHILIA, "Hemophilia A", "inclusion", "included"),
    (HEMOPHILIA, "Hemophilia B", "exclusion", "not excluded"),
    (HEMOPHILIA, "Hepatitis C infection", "exclusion", "excluded"),
    (HEMOPHILIA, "Bleeding disorder", "inclusion", "included"),
    # what a relative noticed is the patient's; the patient's own illness after a relative's is the patient's
    (
        _note("A 7-year-old girl.", "The mother has noticed that the child has had a fever for 3 days."),
        "Fever",
        "inclusion",
        "included",
    ),
    (
        _note("A 40-year-old man.", "His mother has diabetes and he has asthma."),
        "Asthma",
        "inclusion",
        "included",
    ),
    (
        _note("A 40-year-old man.", "His mother has diabetes and he has asthma."),
        "Diabetes",
        "exclusion",
        "not excluded",
    ),
    # a list's next item is not the head of a compound
    (
        _note("A 40-year-old woman with depression on sertraline.", "She has no anxiety."),
        "History of depression, anxiety or psychosis",
        "exclusion",
        "excluded",
    ),
    (DIABETES, "Type 1 diabetes in a first-degree relative", "inclusion", "not enough information"),
    (NEUROPATHY, "Type 1 diabetes in a first-degree relative", "inclusion", "included"),
    # exposures dated in the note against windows; lab values in other units
    (NEPHROTIC, "Received IVIG within the past 3 months", "exclusion", "excluded"),
    (NEPHROTIC, "Treatment with rituximab within 6 months before screening", "exclusion", "not excluded"),
    (NEPHROTIC, "Current treatment with low molecular weight heparin", "exclusion", "excluded"),
    (NEPHROTIC, "Serum creatinine > 2 mg/dL", "exclusion", "excluded"),
    (NEPHROTIC, "Total bilirubin > 2 x ULN", "exclusion", "excluded"),
    (NEPHROTIC, "Hemoglobin ≥ 10 g/dL", "inclusion", "not included"),
    (NEPHROTIC, "Platelets ≥ 100 x 10^9/L", "inclusion", "not included"),
    (NEPHROTIC, "LDL cholesterol ≥ 100 mg/dL", "inclusion", "included"),
    (NEPHROTIC, "Fasting plasma glucose ≥ 126 mg/dL", "inclusion", "included"),
    (NEPHROTIC, "Current use of a PCSK9 inhibitor", "exclusion", "excluded"),
    # "chronic" is a requirement the engine leaves to the default even when the note says 2 years
    (NEPHROTIC, "Chronic opioid therapy", "exclusion", "not excluded"),
    (NEPHROTIC, "Current opioid use", "exclusion", "excluded"),
    (NEPHROTIC, "Regular use of benzodiazepines", "exclusion", "excluded"),
    (NEPHROTIC, "Nephrotic syndrome", "inclusion", "included"),
    (NEPHROTIC, "Diabetes mellitus", "exclusion", "not excluded"),
    # weekly doses; a range with another way to meet it
    (RHEUMATOID, "Methotrexate ≥ 15 mg/week for at least 12 weeks", "inclusion", "not enough information"),
    (RHEUMATOID, "Methotrexate > 25 mg per week", "exclusion", "not excluded"),
    (RHEUMATOID, "Methotrexate ≥ 25 mg/week", "inclusion", "not included"),
    (
        _note("A 50-year-old woman with hypothyroidism on levothyroxine 100 mcg daily.", "TSH 6.2 mIU/L."),
        "Normal TSH or on a stable dose of thyroid replacement",
        "inclusion",
        "not enough information",
    ),
    (
        _note("A 64-year-old man with coronary disease.", "He takes aspirin 81 mg daily."),
        "Aspirin > 325 mg/day",
        "exclusion",
        "not excluded",
    ),
    # a current episode or state against one in remission, and a disorder against its episode
    (
        _note("A 44-year-old man with major depression in remission for 2 years off medication."),
        "Current major depressive episode",
        "inclusion",
        "not included",
    ),
    (DEPRESSION, "Current major depressive episode", "inclusion", "included"),
    (
        _note("A 39-year-old woman with bipolar I disorder on lithium 900 mg daily, euthymic."),
        "Current manic episode",
        "exclusion",
        "not excluded",
    ),
    (
        _note("A 39-year-old woman with bipolar I disorder on lithium 900 mg daily, euthymic."),
        "Use of a mood stabilizer",
        "inclusion",
        "included",
    ),
    (_note("A 29-year-old man is admitted with acute mania."), "Bipolar disorder", "exclusion", "excluded"),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), CASES)
def test_chronic_disease_and_medicines(note: object, criterion: str, kind: str, label: str) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]
