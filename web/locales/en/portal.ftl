# The patient portal: a patient's own pages, under /my/.

## The portal's navigation.

portal-nav-label = My record
portal-viewing-ward = You are viewing the record of a minor in your care, as their guardian. What you read here is recorded in their record’s access log.
portal-viewing-own = Back to my own record
portal-nav-summary = Summary
portal-nav-results = Lab results
portal-nav-prescriptions = Prescriptions
portal-nav-appointments = Appointments
portal-nav-card = Vaccination card
portal-nav-access-log = Who read my record
portal-nav-consents = My consents
portal-nav-account = My account
portal-at-facility = At { $facility }

## Lab results.

results-title = My lab results
results-none = No lab result recorded.
result-value = Result
result-range = Reference range
result-no-range = not given
result-date = Date
result-facility = Ordered at
result-normal = normal
result-low = low
result-high = high
result-critically-low = critically low
result-critically-high = critically high
result-abnormal = abnormal
result-positive = positive
result-negative = negative
result-attachments = Attached documents:
result-attachment-fingerprint = Fingerprint (SHA-256): { $sha256 }
result-attachment-elsewhere = The record keeps only each document's name and fingerprint; ask the laboratory or your facility for the document itself.

## Prescriptions.

prescriptions-title = My prescriptions
prescriptions-current = Current prescriptions
prescriptions-current-none = No current prescription.
prescriptions-past = Past prescriptions
prescriptions-past-none = No past prescription.
prescription-cancelled = cancelled
prescription-by = Prescribed by { $name }
prescription-cancel-reason = Cancelled: { $reason }

## Appointments.

appointments-title = My appointments
appointments-upcoming = Upcoming appointments
appointments-upcoming-none = No upcoming appointment.
appointments-past = Past or cancelled appointments
appointments-past-none = No past or cancelled appointment.
appointment-booked = booked
appointment-attended = attended
appointment-missed = missed
appointment-cancelled = cancelled
appointment-no-outcome = outcome not recorded yet
appointment-with = With { $name }

## Who read my record.

access-log-title = Who read my record
access-log-intro = Each time someone other than you reads your record, it is recorded here: who, when, from which facility and on what grounds. Emergency accesses are shown first, with the reason given.
emergency-title = Emergency accesses
emergency-none = No emergency access to your record.
emergency-tag = emergency access
emergency-opened = Opened on { $date }
emergency-until = Access valid until { $date }
emergency-reason = Reason given:
emergency-no-reason = no reason recorded
reads-title = Reads of my record
reads-none = Nobody has read your record yet.
reader-named = { $name } ({ $role })
read-basis = Grounds: { $basis }
basis-facility = care at this facility
basis-referral = a referral
basis-consent = your consent
basis-break-glass = emergency access
basis-audit = an audit
basis-search = a search
basis-guardian = guardianship of a minor
reader-doctor = doctor
reader-nurse = nurse
reader-lab-technician = laboratory technician
reader-registration-clerk = registration clerk
reader-facility-administrator = facility administrator
reader-health-authority-analyst = health authority analyst
reader-auditor = auditor
reader-system-administrator = system administrator
reader-patient = patient

## My consents.

consents-title = My consents
consents-intro = A facility where you were never seen can read your record only if you allow it here. You can withdraw that access at any time.
consents-granted = Facilities I have given access to
consents-none = You have not given any facility access.
consent-until = Until { $date }
consent-until-revoked = Until I withdraw it
consent-revoke = Withdraw access for { $facility }
consent-not-granted = This facility no longer has access to your record.
consent-grant-title = Give a facility access
consent-facility = Facility
consent-facility-choose = Choose a facility
consent-facility-required = Choose a facility.
consent-facility-unknown = This facility is not in the directory.
consent-until-label = Last day of access (optional)
consent-until-hint = Leave empty for access until you withdraw it.
consent-until-invalid = Enter a date, for example 2027-03-31.
consent-until-past = The last day cannot be in the past.
consent-grant = Give access

## My account.

account-title = My account
account-login = Login
account-second-factor = Second step of signing in
account-second-factor-is = { $method }
account-second-factor-none = None: signing in needs only your password.
account-password = Your password
account-password-hint = Needed again before any change to how you sign in.
account-password-wrong = This is not your password.
account-back = Back to my account
account-sessions-title = Signed-in devices
account-sessions-intro = Sign out on every phone and computer where your account is open, this one included (for example after using a shared computer, or if you lost your phone).
account-sign-out-everywhere = Sign out everywhere
account-totp-title = Authenticator app
account-totp-intro = An authenticator app on your phone makes the codes for the second step of signing in, without SMS.
account-totp-start = Set up an authenticator app
account-totp-scan = Scan this QR code with your authenticator app.
account-totp-qr = QR code of the authenticator app's secret
account-totp-type = Or type this secret in the app:
account-totp-confirm-intro = Then enter the code the app shows, to confirm.
account-totp-code = Code from the app
account-totp-code-hint = 6 digits.
account-totp-code-wrong = This code does not match. Check the time on your phone and try the next code.
account-totp-confirm = Confirm
account-totp-cancel = Cancel
account-totp-not-started = No set-up is in progress: start again.
account-totp-done-title = Authenticator app set up
account-totp-done = Your authenticator app now makes the codes for signing in.
account-recovery-title = Your recovery codes
account-recovery-intro = Write these codes down and keep them safe: each one lets you sign in once without the app. They are shown only this once.
account-codes-title = Codes by SMS or e-mail
account-codes-intro = Receive the sign-in code by SMS or e-mail, at the contact on file.
account-codes-no-contact = No phone number or e-mail address is on file for your account: ask your facility to add one.
account-codes-method = Receive codes by
account-codes-method-required = Choose SMS or e-mail.
account-codes-submit = Save
account-codes-done-sms = Sign-in codes will now be sent to you by SMS.
account-codes-done-email = Sign-in codes will now be sent to you by e-mail.

## Changing the password.

account-password-change-title = Change my password
account-password-change-intro = Your current password is needed. Once it is changed, every session of your account ends, this one too: you then sign in again with the new password.
account-current-password = Current password
account-new-password = New password
account-new-password-hint = A short sentence is easy to remember and hard to guess.
account-new-password-again = New password, again
account-password-rules = The new password:
account-password-rule-length = has { $min } to { $max } characters;
account-password-rule-common = is not a common or simple password (at least 4 different characters);
account-password-rule-login = does not contain your login.
account-password-change-submit = Change my password
account-password-changed-title = Password changed
account-password-changed = Your password was changed and every session of your account was ended. A message tells you so on your phone or by e-mail.
account-password-sign-in = Sign in with the new password

## Cancelling an appointment.

appointment-cancel = Cancel this appointment
appointment-cancel-reason = Why you cancel it (the facility reads this)
appointment-cancel-reason-length = Between { $min } and { $max } characters.
appointment-cancel-submit = Cancel the appointment
appointment-cancel-refused = This reason is not accepted. Write a few words.
appointment-cancel-too-late = This appointment can no longer be cancelled here: it has started or was already closed. Nothing was changed. Call the facility if needed.

# My reminders
portal-nav-reminders = My reminders
reminders-title = My reminders
reminders-intro = CloudMedi reminds you of vaccines coming due or missed, of your appointments, and when your laboratory results are ready. A child's reminders go to their parent's phone. No reminder is sent at night.
reminders-language = Language of reminders
reminders-language-default = As for the region of my health centre
reminders-language-fr = French (Français)
reminders-language-en = English
reminders-channel = Receive reminders by
reminders-channel-default = SMS when a number is known, otherwise e-mail
reminders-channel-sms = SMS
reminders-channel-email = E-mail
reminders-channel-none = No reminders
reminders-kinds = Reminders I do not want
reminders-kind-vaccination = Vaccinations (doses coming due or missed)
reminders-kind-appointment = Appointments
reminders-kind-lab-result = Laboratory results ready
reminders-save = Save my choices
reminders-channel-no-address = No address is recorded for this channel. Ask your health centre's desk to add it.
