# La connexion, le second facteur, l'activation d'un compte.

sign-in-title = Connexion
sign-in-to-continue = Connectez-vous pour continuer.
sign-in-login = Identifiant santé, numéro de CNI ou matricule
sign-in-login-hint = Patients : votre identifiant santé (CM…) ou le numéro de votre carte nationale d'identité. Personnel : votre matricule.
sign-in-password = Mot de passe
sign-in-submit = Se connecter
sign-in-refused = Les identifiants n'ont pas été acceptés.
sign-in-locked = { $minutes ->
    [one] Trop d'échecs : la connexion est bloquée. Réessayez dans une minute.
   *[other] Trop d'échecs : la connexion est bloquée. Réessayez dans { $minutes } minutes.
}
sign-in-first-time = Première visite ? Activez votre compte avec le code reçu.

second-factor-title = Deuxième étape de la connexion
second-factor-sent-sms = Un code vient de vous être envoyé par SMS.
second-factor-sent-email = Un code vient de vous être envoyé par courriel.
second-factor-intro = Saisissez le code qui prouve que c'est bien vous.
second-factor-method = Moyen de vérification
method-totp = Code de votre application d'authentification
method-sms = Code reçu par SMS
method-email = Code reçu par courriel
method-recovery-code = Un de vos codes de secours
second-factor-code = Code
second-factor-submit = Valider
second-factor-refused = Le code n'a pas été accepté.
second-factor-restart = Recommencer la connexion

activate-title = Activer votre compte
activate-intro = Saisissez votre identifiant et le code d'activation reçu, puis choisissez votre mot de passe.
activate-login = Identifiant santé ou matricule
activate-code = Code d'activation
activate-password = Nouveau mot de passe
activate-password-hint = Au moins 12 caractères. Une courte phrase se retient facilement et se devine difficilement.
activate-confirm = Nouveau mot de passe, une seconde fois
activate-submit = Activer mon compte
activate-refused = L'identifiant ou le code d'activation n'a pas été accepté.
activate-done-title = Votre compte est activé
activate-done = Vous pouvez maintenant vous connecter avec votre mot de passe.
activate-done-second-factor = À la connexion, un code vous sera aussi demandé.
activate-sign-in = Se connecter

password-too-short = Au moins { $min } caractères.
password-too-long = { $max } caractères au plus.
password-too-common = Ce mot de passe est trop courant ou trop simple : choisissez-en un autre.
password-contains-login = Le mot de passe ne doit pas contenir votre identifiant.
password-mismatch = Les deux mots de passe sont différents.
