# The clinician's workspace and the facility administrator's pages, under /care/.

ws-home-find-patient = Find a patient
ws-home-staff = My facility's staff
ws-home-alerts = Emergency accesses (break the glass)
ws-home-statistics = Public health statistics
ws-optional = (optional)
ws-back-to-record = Back to the record

## Finding a patient.

ws-search-title = Find a patient
ws-search-intro = Type a health ID or a national ID card number, or a family name with the date of birth.
ws-search-by-id = By identifier
ws-search-by-name = By name and date of birth
ws-search-health-id = Health ID
ws-search-national-id = National ID card number
ws-search-family-name = Family name
ws-search-birth-date = Date of birth
ws-search-submit = Search
ws-search-results = Results
ws-search-none = No patient found.
ws-search-born = Born on { $date }
ws-search-born-in = Born in { $year }
ws-search-not-in-care = Not in your care: only the initials and year of birth are shown
ws-search-nothing = Fill in one way of finding the patient.
ws-search-refused = This search cannot be made. Check what you typed.
ws-search-health-id-invalid = This is not a valid health ID (CM followed by 10 digits).
ws-search-national-id-invalid = A national ID card number has 6 to 20 letters and digits.
ws-search-again = Find another patient

## The record.

ws-record-title = Patient's record
ws-record-actions = Record
ws-record-show-all = Show every entry, corrected ones included
ws-record-show-current = Show current entries only
ws-record-estimated = estimated
ws-record-sex = Sex
ws-record-district = Health district
ws-sex-female = female
ws-sex-male = male
ws-section-allergies = Allergies and intolerances
ws-section-conditions = Diagnoses
ws-section-treatments = Long-term treatments
ws-section-prescriptions = Prescriptions
ws-section-immunizations = Immunisations
ws-section-encounters = Encounters
ws-section-vital-signs = Vital signs
ws-section-lab-orders = Laboratory orders
ws-section-lab-results = Laboratory results
ws-section-referrals = Referrals and transfers
ws-section-medical-history = Medical history
ws-section-family-history = Family history
ws-section-death = Death
ws-section-appointments = Appointments
ws-section-empty = Nothing recorded.
ws-section-older = { $count ->
    [one] One older entry is not shown here.
   *[other] { $count } older entries are not shown here.
}
ws-status-current = current
ws-status-amended = amended
ws-status-entered-in-error = entered in error
ws-status-cancelled = cancelled
ws-status-stopped = stopped
ws-entry-correction = Correction: { $reason }
ws-entry-recorded = Recorded on { $date } by { $by } at { $facility }
ws-entry-withdraw = Mark as entered in error
ws-entry-days = For { $days ->
    [one] one day
   *[other] { $days } days
}
ws-entry-given-on = Given on { $date }
ws-entry-lot = Lot { $lot }
ws-entry-dose = { $antigen }, dose { $dose }
ws-appointment-booked = booked
ws-appointment-cancelled = cancelled
ws-appointment-attended = attended
ws-appointment-missed = missed
ws-class-outpatient = outpatient
ws-class-emergency = emergency
ws-class-inpatient = inpatient
ws-class-home-visit = home visit
ws-class-outreach = outreach
ws-class-teleconsultation = teleconsultation
ws-vital-temperature = Temperature { $value } °C
ws-vital-pressure = Blood pressure { $systolic }/{ $diastolic } mmHg
ws-vital-pulse = Pulse { $value }/min
ws-vital-respiratory-rate = Respiratory rate { $value }/min
ws-vital-spo2 = SpO₂ { $value } %
ws-vital-weight = Weight { $value } kg
ws-vital-height = Height { $value } cm

## Forms that write to the record.

ws-form-encounter = Record an encounter
ws-form-diagnosis = Record a diagnosis
ws-form-prescription = Prescribe a medicine
ws-form-immunisation = Record a dose of vaccine
ws-form-allergy = Record an allergy
ws-form-vital-signs = Record vital signs
ws-form-save = Record
ws-field-date = Date
ws-field-class = Kind of encounter
ws-field-reason = Reason for the visit
ws-field-notes = Notes
ws-field-icd10 = ICD-10 code
ws-field-description = Diagnosis
ws-field-condition-status = Status
ws-field-onset = Onset
ws-field-medicine = Medicine
ws-field-dose-amount = Dose
ws-field-dose-unit = Unit
ws-field-route = Route
ws-field-times-per-day = Times a day
ws-field-duration-days = For how many days
ws-field-instructions = Instructions
ws-field-vaccine-dose = Dose of vaccine
ws-field-lot = Lot number
ws-field-given-on = Given on
ws-field-substance = Substance
ws-field-category = Category
ws-field-severity = Severity
ws-field-allergy-status = Status
ws-field-reaction = Reaction
ws-field-temperature = Temperature (°C)
ws-field-systolic = Systolic pressure (mmHg)
ws-field-diastolic = Diastolic pressure (mmHg)
ws-field-pulse = Pulse (per minute)
ws-field-respiratory-rate = Respiratory rate (per minute)
ws-field-spo2 = Oxygen saturation (%)
ws-field-weight = Weight (kg)
ws-field-height = Height (cm)
ws-field-withdraw-reason = Why this entry was recorded by mistake
ws-unit-mg = mg
ws-unit-g = g
ws-unit-mcg = µg
ws-unit-ml = ml
ws-unit-iu = IU
ws-unit-tablet = tablet(s)
ws-unit-capsule = capsule(s)
ws-unit-drop = drop(s)
ws-unit-puff = puff(s)
ws-unit-sachet = sachet(s)
ws-route-oral = by mouth
ws-route-sublingual = under the tongue
ws-route-intravenous = intravenous
ws-route-intramuscular = intramuscular
ws-route-subcutaneous = subcutaneous
ws-route-topical = on the skin
ws-route-inhaled = inhaled
ws-route-nasal = nasal
ws-route-ophthalmic = in the eye
ws-route-otic = in the ear
ws-route-rectal = rectal
ws-route-vaginal = vaginal
ws-icd10-search = Find an ICD-10 code
ws-icd10-query = Words of the diagnosis, or the start of a code
ws-icd10-find = Find codes
ws-icd10-none = No code matches. Try other words.
ws-dose-offered = { $antigen }, dose { $dose } — { $status }, due { $due }
ws-dose-due = due now
ws-dose-overdue = overdue
ws-dose-upcoming = upcoming
ws-dose-none = The vaccination card offers no dose for this patient now.
ws-error-date = Give a day, for example 2026-12-07.
ws-error-whole = A whole number from 1 to { $max }.
ws-error-decimal = A number, with at most { $decimals ->
    [one] one decimal
   *[other] { $decimals } decimals
}.
ws-error-choice = Choose one of the values offered.
ws-error-reason = Give a reason of at least 3 characters.
ws-error-rule = This value is not accepted by the record's rules.
ws-conflict = The record changed since this form was shown. Nothing was recorded. Check what changed below, then record again: what you typed is kept.
ws-conflict-changes = Recorded since this form was shown
ws-conflict-no-entry = No entry was added; the record's access or corrections changed.
ws-conflict-content = This cannot be recorded as the record stands (the entry may already be corrected, or the record merged). Nothing was recorded.
ws-withdraw-title = Mark an entry as entered in error
ws-withdraw-submit = Mark as entered in error
ws-not-in-care = This patient is not in your care, or there is no such record.
ws-break-glass-title = Emergency access (break the glass)
ws-break-glass-intro = In an emergency, a doctor may open this record for four hours, stating why. The access is recorded, and the patient and your facility's administrators are told.
ws-break-glass-reason = Reason for the emergency access
ws-break-glass-short = Give a reason of at least 10 characters.
ws-break-glass-submit = Open the record in an emergency

## A facility's staff and emergency accesses, for its administrators.

ws-staff-title = My facility's staff
ws-staff-members = Members of staff
ws-staff-register = Register a member of staff
ws-staff-register-submit = Register
ws-staff-role = Role
ws-staff-role-doctor = doctor
ws-staff-role-nurse = nurse
ws-staff-role-lab-technician = laboratory technician
ws-staff-role-registration-clerk = registration clerk
ws-staff-professional-id = Professional ID (their login)
ws-staff-family-name = Family name
ws-staff-given-names = Given names
ws-staff-phone = Mobile phone (the activation code is sent there)
ws-staff-email = E-mail address
ws-staff-issued = waiting for activation
ws-staff-active = active
ws-staff-suspended = suspended
ws-staff-suspend = Suspend
ws-staff-suspend-reason = Reason for the suspension
ws-staff-reinstate = Reinstate
ws-staff-reason-needed = Give a reason of at least 3 characters to suspend someone.
ws-staff-conflict = This was already done, or cannot be done to this account.
ws-alerts-title = Emergency accesses from my facility
ws-alerts-intro = Who opened a record in an emergency, and when. The reasons are for the patient and the auditors.
ws-alerts-none = No emergency access.
ws-alerts-opened = Opened on { $date }
ws-alerts-until = Until { $date }

## Laboratory, referrals, appointments and corrections.

ws-form-lab-order = Order a laboratory test
ws-form-lab-result = Record a laboratory result
ws-form-referral = Refer to another facility
ws-form-appointment = Book an appointment
ws-form-appointment-move = Move an appointment
ws-form-appointment-close = Close an appointment
ws-form-correct = Correct an entry: { $form }
ws-correct-intro = The entry as recorded is filled in below. Change what was wrong and say why: the original entry stays in the record, marked as amended, linked to its correction.
ws-field-correction-reason = Why this entry is corrected
ws-field-test = Test
ws-field-loinc = LOINC code (for example 32700-7)
ws-field-order = The order this result answers
ws-field-value = Value, as reported
ws-field-unit = Unit
ws-field-reference-range = Reference range
ws-field-interpretation = Interpretation
ws-field-attachment-name = Attached file: its name
ws-field-attachment-media-type = Attached file: its media type (for example application/pdf)
ws-field-attachment-sha256 = Attached file: its SHA-256 (64 hexadecimal digits)
ws-field-to-facility = Facility
ws-field-referral-kind = Kind
ws-field-urgency = Urgency
ws-field-referral-reason = Reason for the referral
ws-field-appointment-date = Day
ws-field-appointment-time = Time (Cameroon time)
ws-field-appointment-reason = Reason for the appointment
ws-field-outcome = Outcome
ws-field-cancel-reason = Reason for the cancellation (shown to the patient)
ws-order-offered = { $test }, ordered on { $date }
ws-interpretation-normal = normal
ws-interpretation-low = low
ws-interpretation-high = high
ws-interpretation-critically-low = critically low
ws-interpretation-critically-high = critically high
ws-interpretation-abnormal = abnormal
ws-interpretation-positive = positive
ws-interpretation-negative = negative
ws-urgency-routine = routine
ws-urgency-urgent = urgent
ws-urgency-emergency = emergency
ws-referral-kind-referral = referral (care continues here)
ws-referral-kind-transfer = transfer (the other facility takes over)
ws-outcome-attended = attended
ws-outcome-missed = missed
ws-outcome-cancelled = cancelled
ws-error-time = Give a time, for example 09:30.
ws-error-attachment-whole = Describe the attached file whole: its name, its media type and its SHA-256.
ws-appointment-changed = Appointment of { $date }: { $reason }
ws-appointment-move = Move
ws-appointment-close = Close (attended, missed, cancelled)
ws-entry-correct = Correct
ws-entry-corrects = Corrects an earlier entry
ws-entry-corrected-by = See its correction
ws-entry-loinc = LOINC { $code }
ws-entry-reference-range = Reference range { $range }
ws-entry-attachment = File { $name } ({ $type }), SHA-256 { $sha256 }

## Reading a card's QR code on the patient search, where the browser can.

ws-scan-start = Read the QR code of a card
ws-scan-stop = Stop the camera
ws-scan-aim = Hold the card's QR code in front of the camera.
ws-scan-found = Health ID read from the card. Check it, then search.
ws-scan-failed = The camera cannot be used here: type the health ID.
ws-scan-camera = Camera

# The patient's reminders, at the desk
ws-reminders-title = Patient's reminders
ws-reminders-intro = The patient's choices for their reminders (vaccines, appointments, results), entered on the patient's word. The patient can also change them from their own pages.

# A minor's guardians, at the desk
ws-guardians-title = Guardians
ws-guardians-intro = A guardian manages this minor's record from their own patient account: reads it, grants a facility access, chooses the reminders, cancels an appointment. It ends on its own the day before the minor turns 21.
ws-guardians-none = No guardian is recorded.
ws-guardian-mother = Mother
ws-guardian-father = Father
ws-guardian-legal-guardian = Legal guardian
ws-guardian-until = until { $day }
ws-guardian-end-reason = Reason for ending it
ws-guardian-end-reason-short = Give a reason of at least 10 characters.
ws-guardian-end = End this guardianship
ws-guardian-add = Record a guardian
ws-guardian-proof = Only after seeing the proof: the birth certificate naming the parent, or the order appointing the guardian. The guardian must be registered as a patient.
ws-guardian-health-id = Guardian's health ID
ws-guardian-relationship = Relationship to the minor
ws-guardian-record = Record the guardian

# Registering a patient at the desk
ws-home-register = Register a patient
ws-sex-unknown = not known
ws-register-title = Register a patient
ws-register-intro = Check first that the patient is not registered already (find them by health ID, national ID card or name and date of birth). The patient's health ID is issued now, with an account they activate with a code.
ws-register-identity = The patient
ws-register-family-name = Family name
ws-register-given-names = Given names
ws-register-sex = Sex
ws-register-birth-date = Date of birth
ws-register-birth-estimated = The date of birth is an estimate (no birth certificate)
ws-register-national-id = National ID card number
ws-register-optional = Optional.
ws-register-where = Where the patient lives
ws-register-region = Region
ws-register-district = Health district
ws-register-contact = How to reach the patient
ws-register-contact-intro = The account's activation code is sent by SMS, or by e-mail when there is no phone; with neither, it is printed on the slip.
ws-register-phone = Phone number
ws-register-email = E-mail address
ws-register-kin = Next of kin (optional)
ws-register-kin-name = Name
ws-register-kin-relationship = Relationship to the patient
ws-register-kin-phone = Phone number
ws-register-submit = Register the patient
ws-register-name-needed = Enter a name with at least one letter, 80 characters at most.
ws-register-birth-date-needed = Enter a real date, not in the future and not more than 130 years ago.
ws-register-region-needed = Choose the region.
ws-register-district-needed = Enter the health district, 2 to 80 characters.
ws-register-national-id-needed = Enter the number as printed on the card.
ws-register-national-id-taken = This national ID card number is already registered: find that patient instead of registering them again.
ws-register-phone-needed = Enter a Cameroonian phone number, for example 699 12 34 56.
ws-register-email-needed = Enter an e-mail address, for example name@example.cm.
ws-register-kin-needed = A next of kin needs a name and a relationship.
ws-register-done-title = Patient registered
ws-register-done = { $name } is registered.
ws-register-code-sms = The account's activation code was sent to the patient by SMS.
ws-register-code-email = The account's activation code was sent to the patient by e-mail.
ws-register-code-printed = The patient has neither phone nor e-mail: give them this activation code on the printed slip.
ws-register-code = Activation code:
ws-register-duplicates = Possibly registered already
ws-register-duplicates-intro = These records have the same names, date of birth and district. Review them: if one is this patient, merge the records.
ws-register-duplicate = A record that looks like this one
ws-register-open-record = Open the record
ws-register-another = Register another patient
