# Signing in, the second factor, activating an account.

sign-in-title = Sign in
sign-in-to-continue = Sign in to continue.
sign-in-login = Health ID, national ID card number or professional ID
sign-in-login-hint = Patients: your health ID (CM…) or national ID card number. Staff: your professional ID.
sign-in-password = Password
sign-in-submit = Sign in
sign-in-refused = The credentials were not accepted.
sign-in-locked = { $minutes ->
    [one] Too many failed attempts: signing in is locked. Try again in one minute.
   *[other] Too many failed attempts: signing in is locked. Try again in { $minutes } minutes.
}
sign-in-first-time = First time here? Activate your account with the code you received.

second-factor-title = Second step of signing in
second-factor-sent-sms = A code was just sent to your phone by SMS.
second-factor-sent-email = A code was just sent to your e-mail address.
second-factor-intro = Enter the code that proves it is you.
second-factor-method = How you prove it
method-totp = Code from your authenticator app
method-sms = Code received by SMS
method-email = Code received by e-mail
method-recovery-code = One of your recovery codes
second-factor-code = Code
second-factor-submit = Confirm
second-factor-refused = The code was not accepted.
second-factor-restart = Start signing in again

activate-title = Activate your account
activate-intro = Enter your login and the activation code you received, then choose your password.
activate-login = Health ID or professional ID
activate-code = Activation code
activate-password = New password
activate-password-hint = At least 12 characters. A short sentence is easy to remember and hard to guess.
activate-confirm = New password, again
activate-submit = Activate my account
activate-refused = The login or the activation code was not accepted.
activate-done-title = Your account is active
activate-done = You can now sign in with your password.
activate-done-second-factor = When you sign in, a code will also be asked for.
activate-sign-in = Sign in

password-too-short = At least { $min } characters.
password-too-long = At most { $max } characters.
password-too-common = This password is too common or too simple: choose another.
password-contains-login = The password must not contain your login.
password-mismatch = The two passwords differ.
