# The patient portal: a patient's own pages, under /my/.

## The portal's navigation.

portal-nav-label = Mon dossier
portal-viewing-ward = Vous consultez le dossier d’un mineur dont vous avez la charge, en tant que tuteur. Vos consultations sont inscrites dans le journal d’accès de son dossier.
portal-viewing-own = Revenir à mon propre dossier
portal-nav-summary = Résumé
portal-nav-results = Résultats d'analyses
portal-nav-prescriptions = Ordonnances
portal-nav-appointments = Rendez-vous
portal-nav-card = Carnet de vaccination
portal-nav-access-log = Qui a lu mon dossier
portal-nav-consents = Mes autorisations
portal-nav-account = Mon compte
portal-at-facility = À { $facility }

## Lab results.

results-title = Mes résultats d'analyses
results-none = Aucun résultat d'analyse enregistré.
result-value = Résultat
result-range = Valeurs de référence
result-no-range = non indiquées
result-date = Date
result-facility = Demandé à
result-normal = normal
result-low = bas
result-high = élevé
result-critically-low = très bas
result-critically-high = très élevé
result-abnormal = anormal
result-positive = positif
result-negative = négatif
result-attachments = Documents joints :
result-attachment-fingerprint = Empreinte (SHA-256) : { $sha256 }
result-attachment-elsewhere = Le dossier ne garde que le nom et l'empreinte de chaque document ; demandez le document lui-même au laboratoire ou à votre formation sanitaire.

## Prescriptions.

prescriptions-title = Mes ordonnances
prescriptions-current = Ordonnances en cours
prescriptions-current-none = Aucune ordonnance en cours.
prescriptions-past = Ordonnances passées
prescriptions-past-none = Aucune ordonnance passée.
prescription-cancelled = annulée
prescription-by = Prescrite par { $name }
prescription-cancel-reason = Annulée : { $reason }

## Appointments.

appointments-title = Mes rendez-vous
appointments-upcoming = Rendez-vous à venir
appointments-upcoming-none = Aucun rendez-vous à venir.
appointments-past = Rendez-vous passés ou annulés
appointments-past-none = Aucun rendez-vous passé ou annulé.
appointment-booked = prévu
appointment-attended = honoré
appointment-missed = manqué
appointment-cancelled = annulé
appointment-no-outcome = suite non encore enregistrée
appointment-with = Avec { $name }

## Who read my record.

access-log-title = Qui a lu mon dossier
access-log-intro = Chaque fois qu'une autre personne que vous lit votre dossier, c'est noté ici : qui, quand, depuis quelle formation sanitaire et à quel titre. Les accès d'urgence sont présentés d'abord, avec le motif donné.
emergency-title = Accès d'urgence
emergency-none = Aucun accès d'urgence à votre dossier.
emergency-tag = accès d'urgence
emergency-opened = Ouvert le { $date }
emergency-until = Accès valable jusqu'au { $date }
emergency-reason = Motif donné :
emergency-no-reason = aucun motif enregistré
reads-title = Lectures de mon dossier
reads-none = Personne n'a encore lu votre dossier.
reader-named = { $name } ({ $role })
read-basis = À titre de : { $basis }
basis-facility = soins dans cette formation sanitaire
basis-referral = une référence
basis-consent = votre autorisation
basis-break-glass = accès d'urgence
basis-audit = un audit
basis-search = une recherche
basis-guardian = la tutelle d’un mineur
reader-doctor = médecin
reader-nurse = infirmier ou infirmière
reader-lab-technician = technicien de laboratoire
reader-registration-clerk = agent d'accueil
reader-facility-administrator = administrateur de la formation sanitaire
reader-health-authority-analyst = analyste de l'autorité sanitaire
reader-auditor = auditeur
reader-system-administrator = administrateur du système
reader-patient = patient

## My consents.

consents-title = Mes autorisations
consents-intro = Une formation sanitaire où vous n'avez jamais été vu ne peut lire votre dossier que si vous l'y autorisez ici. Vous pouvez retirer cet accès à tout moment.
consents-granted = Formations sanitaires que j'ai autorisées
consents-none = Vous n'avez autorisé aucune formation sanitaire.
consent-until = Jusqu'au { $date }
consent-until-revoked = Jusqu'à ce que je le retire
consent-revoke = Retirer l'accès de { $facility }
consent-not-granted = Cette formation sanitaire n'a plus accès à votre dossier.
consent-grant-title = Autoriser une formation sanitaire
consent-facility = Formation sanitaire
consent-facility-choose = Choisissez une formation sanitaire
consent-facility-required = Choisissez une formation sanitaire.
consent-facility-unknown = Cette formation sanitaire n'est pas dans l'annuaire.
consent-until-label = Dernier jour d'accès (facultatif)
consent-until-hint = Laissez vide pour un accès jusqu'à ce que vous le retiriez.
consent-until-invalid = Indiquez une date, par exemple 2027-03-31.
consent-until-past = Le dernier jour ne peut pas être passé.
consent-grant = Autoriser

## My account.

account-title = Mon compte
account-login = Identifiant
account-second-factor = Deuxième étape de connexion
account-second-factor-is = { $method }
account-second-factor-none = Aucune : la connexion ne demande que votre mot de passe.
account-password = Votre mot de passe
account-password-hint = Demandé de nouveau avant tout changement de votre façon de vous connecter.
account-password-wrong = Ce n'est pas votre mot de passe.
account-back = Retour à mon compte
account-sessions-title = Appareils connectés
account-sessions-intro = Déconnectez-vous sur tous les téléphones et ordinateurs où votre compte est ouvert, celui-ci compris (par exemple après avoir utilisé un ordinateur partagé, ou si vous avez perdu votre téléphone).
account-sign-out-everywhere = Me déconnecter partout
account-totp-title = Application d'authentification
account-totp-intro = Une application d'authentification sur votre téléphone fournit les codes de la deuxième étape de connexion, sans SMS.
account-totp-start = Configurer une application d'authentification
account-totp-scan = Scannez ce code QR avec votre application d'authentification.
account-totp-qr = Code QR du secret de l'application d'authentification
account-totp-type = Ou saisissez ce secret dans l'application :
account-totp-confirm-intro = Puis saisissez le code affiché par l'application, pour confirmer.
account-totp-code = Code de l'application
account-totp-code-hint = 6 chiffres.
account-totp-code-wrong = Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et essayez le code suivant.
account-totp-confirm = Confirmer
account-totp-cancel = Annuler
account-totp-not-started = Aucune configuration n'est en cours : recommencez.
account-totp-done-title = Application d'authentification configurée
account-totp-done = Votre application d'authentification fournit désormais les codes de connexion.
account-recovery-title = Vos codes de secours
account-recovery-intro = Notez ces codes et gardez-les en lieu sûr : chacun permet de vous connecter une fois sans l'application. Ils ne sont affichés que cette fois.
account-codes-title = Codes par SMS ou par courriel
account-codes-intro = Recevez le code de connexion par SMS ou par courriel, au contact enregistré.
account-codes-no-contact = Aucun numéro de téléphone ni adresse électronique n'est enregistré pour votre compte : demandez à votre formation sanitaire d'en ajouter un.
account-codes-method = Recevoir les codes par
account-codes-method-required = Choisissez SMS ou courriel.
account-codes-submit = Enregistrer
account-codes-done-sms = Les codes de connexion vous seront désormais envoyés par SMS.
account-codes-done-email = Les codes de connexion vous seront désormais envoyés par courriel.

## Changer le mot de passe.

account-password-change-title = Changer mon mot de passe
account-password-change-intro = Votre mot de passe actuel est demandé. Une fois le mot de passe changé, toutes les sessions de votre compte prennent fin, celle-ci aussi : vous vous reconnectez alors avec le nouveau mot de passe.
account-current-password = Mot de passe actuel
account-new-password = Nouveau mot de passe
account-new-password-hint = Une courte phrase se retient facilement et se devine difficilement.
account-new-password-again = Nouveau mot de passe, à nouveau
account-password-rules = Le nouveau mot de passe :
account-password-rule-length = compte de { $min } à { $max } caractères ;
account-password-rule-common = n'est pas un mot de passe courant ou trop simple (au moins 4 caractères différents) ;
account-password-rule-login = ne contient pas votre identifiant.
account-password-change-submit = Changer mon mot de passe
account-password-changed-title = Mot de passe changé
account-password-changed = Votre mot de passe a été changé et toutes les sessions de votre compte ont pris fin. Un message vous le signale par téléphone ou par e-mail.
account-password-sign-in = Me connecter avec le nouveau mot de passe

## Annuler un rendez-vous.

appointment-cancel = Annuler ce rendez-vous
appointment-cancel-reason = Pourquoi vous l'annulez (la formation sanitaire le lit)
appointment-cancel-reason-length = Entre { $min } et { $max } caractères.
appointment-cancel-submit = Annuler le rendez-vous
appointment-cancel-refused = Ce motif n'est pas accepté. Écrivez quelques mots.
appointment-cancel-too-late = Ce rendez-vous ne peut plus être annulé ici : il a commencé ou a déjà été clos. Rien n'a été changé. Appelez la formation sanitaire au besoin.

# Mes rappels
portal-nav-reminders = Mes rappels
reminders-title = Mes rappels
reminders-intro = CloudMedi vous rappelle les vaccins à venir ou manqués, vos rendez-vous et l'arrivée de vos résultats d'analyses. Les rappels d'un enfant vont au téléphone de son parent. Aucun rappel n'est envoyé la nuit.
reminders-language = Langue des rappels
reminders-language-default = Selon la région de mon centre de santé
reminders-language-fr = Français
reminders-language-en = Anglais (English)
reminders-channel = Recevoir les rappels par
reminders-channel-default = SMS si un numéro est connu, sinon e-mail
reminders-channel-sms = SMS
reminders-channel-email = E-mail
reminders-channel-none = Aucun rappel
reminders-kinds = Les rappels que je ne veux pas
reminders-kind-vaccination = Vaccinations (doses à venir ou manquées)
reminders-kind-appointment = Rendez-vous
reminders-kind-lab-result = Résultats d'analyses disponibles
reminders-save = Enregistrer mes choix
reminders-channel-no-address = Aucune adresse n'est enregistrée pour ce moyen. Demandez à l'accueil de votre centre de santé de l'ajouter.
