# The start page after signing in: a member of staff's, or a patient's record summary.

home-staff-title = Your workspace
home-staff-greeting = Hello, { $name }.
home-staff-role = You are signed in as { $role }.
home-staff-empty = No page of your workspace is available here yet.
role-doctor = a doctor
role-nurse = a nurse
role-lab-technician = a laboratory technician
role-registration-clerk = a registration clerk
role-facility-administrator = a facility administrator
role-health-authority-analyst = a health authority analyst
role-auditor = an auditor
role-system-administrator = a system administrator

summary-title = My record summary
summary-health-id = Health ID
summary-birth-date = Date of birth
summary-card-link = My vaccination card (to print)
summary-wards = Children in my care
summary-view-ward = View their record
summary-merged = This record was merged into another one: the latest entries are in that record.

allergies-title = Allergies and intolerances
allergies-none = No allergy recorded.
allergy-reaction = Reaction: { $reaction }
allergy-severity-mild = mild
allergy-severity-moderate = moderate
allergy-severity-severe = severe
allergy-severity-life-threatening = life-threatening
allergy-status-unconfirmed = suspected
allergy-status-confirmed = confirmed
allergy-status-resolved = resolved
allergy-status-refuted = ruled out
allergy-category-medication = medication
allergy-category-food = food
allergy-category-environment = environment
allergy-category-other = other

treatments-title = Current treatments
treatments-none = No current treatment.
treatment-long-term = Long-term treatment, since { $date }
treatment-long-term-undated = Long-term treatment
prescription-until = Prescribed on { $date }, until { $until }
prescription-as-needed = as needed
dose-frequency = { $times ->
    [one] once a day
    [2] twice a day
   *[other] { $times } times a day
}
dose-unit-mg = mg
dose-unit-g = g
dose-unit-mcg = µg
dose-unit-ml = ml
dose-unit-iu = IU
dose-unit-tablet = { $amount ->
    [one] tablet
   *[other] tablets
}
dose-unit-capsule = { $amount ->
    [one] capsule
   *[other] capsules
}
dose-unit-drop = { $amount ->
    [one] drop
   *[other] drops
}
dose-unit-puff = { $amount ->
    [one] puff
   *[other] puffs
}
dose-unit-sachet = { $amount ->
    [one] sachet
   *[other] sachets
}

diagnoses-title = Diagnoses
diagnoses-none = No diagnosis recorded.
condition-since = Since { $date }
condition-status-active = active
condition-status-recurrence = recurrence
condition-status-remission = in remission
condition-status-resolved = resolved

encounters-title = Recent visits
encounters-none = No visit recorded.
encounter-at = At { $facility }
recorded-on = Recorded on { $date }
