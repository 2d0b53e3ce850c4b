# L'espace de travail des soignants et les pages de l'administrateur d'établissement, sous /care/.

ws-home-find-patient = Trouver un patient
ws-home-staff = Le personnel de mon établissement
ws-home-alerts = Accès d'urgence (bris de glace)
ws-home-statistics = Statistiques de santé publique
ws-optional = (facultatif)
ws-back-to-record = Retour au dossier

## Trouver un patient.

ws-search-title = Trouver un patient
ws-search-intro = Saisissez un identifiant de santé ou un numéro de carte nationale d'identité, ou un nom de famille avec la date de naissance.
ws-search-by-id = Par identifiant
ws-search-by-name = Par nom et date de naissance
ws-search-health-id = Identifiant de santé
ws-search-national-id = Numéro de carte nationale d'identité
ws-search-family-name = Nom de famille
ws-search-birth-date = Date de naissance
ws-search-submit = Rechercher
ws-search-results = Résultats
ws-search-none = Aucun patient trouvé.
ws-search-born = Né(e) le { $date }
ws-search-born-in = Né(e) en { $year }
ws-search-not-in-care = Hors de votre prise en charge : seules les initiales et l'année de naissance sont montrées
ws-search-nothing = Remplissez une façon de trouver le patient.
ws-search-refused = Cette recherche ne peut pas être faite. Vérifiez ce que vous avez saisi.
ws-search-health-id-invalid = Ce n'est pas un identifiant de santé valide (CM suivi de 10 chiffres).
ws-search-national-id-invalid = Un numéro de carte nationale d'identité a 6 à 20 lettres et chiffres.
ws-search-again = Trouver un autre patient

## Le dossier.

ws-record-title = Dossier du patient
ws-record-actions = Dossier
ws-record-show-all = Afficher toutes les entrées, y compris celles corrigées
ws-record-show-current = Afficher seulement les entrées en vigueur
ws-record-estimated = estimée
ws-record-sex = Sexe
ws-record-district = District de santé
ws-sex-female = féminin
ws-sex-male = masculin
ws-section-allergies = Allergies et intolérances
ws-section-conditions = Diagnostics
ws-section-treatments = Traitements au long cours
ws-section-prescriptions = Prescriptions
ws-section-immunizations = Vaccinations
ws-section-encounters = Consultations
ws-section-vital-signs = Signes vitaux
ws-section-lab-orders = Demandes d'examens
ws-section-lab-results = Résultats d'examens
ws-section-referrals = Références et transferts
ws-section-medical-history = Antécédents médicaux
ws-section-family-history = Antécédents familiaux
ws-section-death = Décès
ws-section-appointments = Rendez-vous
ws-section-empty = Rien n'est enregistré.
ws-section-older = { $count ->
    [one] Une entrée plus ancienne n'est pas affichée ici.
   *[other] { $count } entrées plus anciennes ne sont pas affichées ici.
}
ws-status-current = en vigueur
ws-status-amended = corrigée
ws-status-entered-in-error = saisie par erreur
ws-status-cancelled = annulée
ws-status-stopped = arrêté
ws-entry-correction = Correction : { $reason }
ws-entry-recorded = Enregistré le { $date } par { $by } à { $facility }
ws-entry-withdraw = Marquer comme saisie par erreur
ws-entry-days = { $days ->
    [one] Pendant un jour
   *[other] Pendant { $days } jours
}
ws-entry-given-on = Administrée le { $date }
ws-entry-lot = Lot { $lot }
ws-entry-dose = { $antigen }, dose { $dose }
ws-appointment-booked = prévu
ws-appointment-cancelled = annulé
ws-appointment-attended = honoré
ws-appointment-missed = manqué
ws-class-outpatient = consultation externe
ws-class-emergency = urgence
ws-class-inpatient = hospitalisation
ws-class-home-visit = visite à domicile
ws-class-outreach = stratégie avancée
ws-class-teleconsultation = téléconsultation
ws-vital-temperature = Température { $value } °C
ws-vital-pressure = Tension artérielle { $systolic }/{ $diastolic } mmHg
ws-vital-pulse = Pouls { $value }/min
ws-vital-respiratory-rate = Fréquence respiratoire { $value }/min
ws-vital-spo2 = SpO₂ { $value } %
ws-vital-weight = Poids { $value } kg
ws-vital-height = Taille { $value } cm

## Formulaires qui écrivent dans le dossier.

ws-form-encounter = Enregistrer une consultation
ws-form-diagnosis = Enregistrer un diagnostic
ws-form-prescription = Prescrire un médicament
ws-form-immunisation = Enregistrer une dose de vaccin
ws-form-allergy = Enregistrer une allergie
ws-form-vital-signs = Enregistrer des signes vitaux
ws-form-save = Enregistrer
ws-field-date = Date
ws-field-class = Type de consultation
ws-field-reason = Motif de la visite
ws-field-notes = Notes
ws-field-icd10 = Code CIM-10
ws-field-description = Diagnostic
ws-field-condition-status = Statut
ws-field-onset = Début
ws-field-medicine = Médicament
ws-field-dose-amount = Dose
ws-field-dose-unit = Unité
ws-field-route = Voie
ws-field-times-per-day = Fois par jour
ws-field-duration-days = Pendant combien de jours
ws-field-instructions = Consignes
ws-field-vaccine-dose = Dose de vaccin
ws-field-lot = Numéro de lot
ws-field-given-on = Administrée le
ws-field-substance = Substance
ws-field-category = Catégorie
ws-field-severity = Gravité
ws-field-allergy-status = Statut
ws-field-reaction = Réaction
ws-field-temperature = Température (°C)
ws-field-systolic = Pression systolique (mmHg)
ws-field-diastolic = Pression diastolique (mmHg)
ws-field-pulse = Pouls (par minute)
ws-field-respiratory-rate = Fréquence respiratoire (par minute)
ws-field-spo2 = Saturation en oxygène (%)
ws-field-weight = Poids (kg)
ws-field-height = Taille (cm)
ws-field-withdraw-reason = Pourquoi cette entrée a été saisie par erreur
ws-unit-mg = mg
ws-unit-g = g
ws-unit-mcg = µg
ws-unit-ml = ml
ws-unit-iu = UI
ws-unit-tablet = comprimé(s)
ws-unit-capsule = gélule(s)
ws-unit-drop = goutte(s)
ws-unit-puff = bouffée(s)
ws-unit-sachet = sachet(s)
ws-route-oral = par la bouche
ws-route-sublingual = sous la langue
ws-route-intravenous = intraveineuse
ws-route-intramuscular = intramusculaire
ws-route-subcutaneous = sous-cutanée
ws-route-topical = sur la peau
ws-route-inhaled = inhalée
ws-route-nasal = nasale
ws-route-ophthalmic = dans l'œil
ws-route-otic = dans l'oreille
ws-route-rectal = rectale
ws-route-vaginal = vaginale
ws-icd10-search = Trouver un code CIM-10
ws-icd10-query = Mots du diagnostic (en anglais), ou début d'un code
ws-icd10-find = Chercher les codes
ws-icd10-none = Aucun code ne correspond. Essayez d'autres mots.
ws-dose-offered = { $antigen }, dose { $dose } — { $status }, prévue le { $due }
ws-dose-due = à faire maintenant
ws-dose-overdue = en retard
ws-dose-upcoming = à venir
ws-dose-none = Le carnet de vaccination ne propose aucune dose pour ce patient en ce moment.
ws-error-date = Indiquez un jour, par exemple 2026-12-07.
ws-error-whole = Un nombre entier de 1 à { $max }.
ws-error-decimal = Un nombre, avec au plus { $decimals ->
    [one] une décimale
   *[other] { $decimals } décimales
}.
ws-error-choice = Choisissez l'une des valeurs proposées.
ws-error-reason = Donnez une raison d'au moins 3 caractères.
ws-error-rule = Cette valeur n'est pas acceptée par les règles du dossier.
ws-conflict = Le dossier a changé depuis l'affichage de ce formulaire. Rien n'a été enregistré. Vérifiez ci-dessous ce qui a changé, puis enregistrez à nouveau : ce que vous avez saisi est conservé.
ws-conflict-changes = Enregistré depuis l'affichage de ce formulaire
ws-conflict-no-entry = Aucune entrée n'a été ajoutée ; les accès ou les corrections du dossier ont changé.
ws-conflict-content = Ceci ne peut pas être enregistré en l'état du dossier (l'entrée est peut-être déjà corrigée, ou le dossier fusionné). Rien n'a été enregistré.
ws-withdraw-title = Marquer une entrée comme saisie par erreur
ws-withdraw-submit = Marquer comme saisie par erreur
ws-not-in-care = Ce patient n'est pas pris en charge par vous, ou ce dossier n'existe pas.
ws-break-glass-title = Accès d'urgence (bris de glace)
ws-break-glass-intro = En cas d'urgence, un médecin peut ouvrir ce dossier pendant quatre heures, en disant pourquoi. L'accès est enregistré, et le patient ainsi que les administrateurs de votre établissement en sont informés.
ws-break-glass-reason = Motif de l'accès d'urgence
ws-break-glass-short = Donnez un motif d'au moins 10 caractères.
ws-break-glass-submit = Ouvrir le dossier en urgence

## Le personnel d'un établissement et ses accès d'urgence, pour ses administrateurs.

ws-staff-title = Le personnel de mon établissement
ws-staff-members = Membres du personnel
ws-staff-register = Inscrire un membre du personnel
ws-staff-register-submit = Inscrire
ws-staff-role = Rôle
ws-staff-role-doctor = médecin
ws-staff-role-nurse = infirmier ou infirmière
ws-staff-role-lab-technician = technicien de laboratoire
ws-staff-role-registration-clerk = agent d'accueil
ws-staff-professional-id = Matricule professionnel (son identifiant de connexion)
ws-staff-family-name = Nom de famille
ws-staff-given-names = Prénoms
ws-staff-phone = Téléphone mobile (le code d'activation y est envoyé)
ws-staff-email = Adresse e-mail
ws-staff-issued = en attente d'activation
ws-staff-active = actif
ws-staff-suspended = suspendu
ws-staff-suspend = Suspendre
ws-staff-suspend-reason = Motif de la suspension
ws-staff-reinstate = Rétablir
ws-staff-reason-needed = Donnez un motif d'au moins 3 caractères pour suspendre quelqu'un.
ws-staff-conflict = C'est déjà fait, ou cela ne peut pas être fait sur ce compte.
ws-alerts-title = Accès d'urgence depuis mon établissement
ws-alerts-intro = Qui a ouvert un dossier en urgence, et quand. Les motifs sont réservés au patient et aux auditeurs.
ws-alerts-none = Aucun accès d'urgence.
ws-alerts-opened = Ouvert le { $date }
ws-alerts-until = Jusqu'au { $date }

## Laboratoire, références, rendez-vous et corrections.

ws-form-lab-order = Prescrire un examen de laboratoire
ws-form-lab-result = Enregistrer un résultat de laboratoire
ws-form-referral = Référer vers une autre formation sanitaire
ws-form-appointment = Fixer un rendez-vous
ws-form-appointment-move = Déplacer un rendez-vous
ws-form-appointment-close = Clore un rendez-vous
ws-form-correct = Corriger une inscription : { $form }
ws-correct-intro = L'inscription telle qu'elle a été enregistrée est reprise ci-dessous. Corrigez ce qui était faux et dites pourquoi : l'inscription d'origine reste au dossier, marquée comme modifiée, liée à sa correction.
ws-field-correction-reason = Motif de la correction
ws-field-test = Examen
ws-field-loinc = Code LOINC (par exemple 32700-7)
ws-field-order = La prescription à laquelle ce résultat répond
ws-field-value = Valeur, telle que rendue
ws-field-unit = Unité
ws-field-reference-range = Valeurs de référence
ws-field-interpretation = Interprétation
ws-field-attachment-name = Fichier joint : son nom
ws-field-attachment-media-type = Fichier joint : son type de média (par exemple application/pdf)
ws-field-attachment-sha256 = Fichier joint : son SHA-256 (64 chiffres hexadécimaux)
ws-field-to-facility = Formation sanitaire
ws-field-referral-kind = Nature
ws-field-urgency = Urgence
ws-field-referral-reason = Motif de la référence
ws-field-appointment-date = Jour
ws-field-appointment-time = Heure (heure du Cameroun)
ws-field-appointment-reason = Motif du rendez-vous
ws-field-outcome = Issue
ws-field-cancel-reason = Motif de l'annulation (montré au patient)
ws-order-offered = { $test }, prescrit le { $date }
ws-interpretation-normal = normal
ws-interpretation-low = bas
ws-interpretation-high = élevé
ws-interpretation-critically-low = critique (bas)
ws-interpretation-critically-high = critique (élevé)
ws-interpretation-abnormal = anormal
ws-interpretation-positive = positif
ws-interpretation-negative = négatif
ws-urgency-routine = habituelle
ws-urgency-urgent = urgente
ws-urgency-emergency = extrême urgence
ws-referral-kind-referral = référence (le suivi continue ici)
ws-referral-kind-transfer = transfert (l'autre formation prend le relais)
ws-outcome-attended = honoré
ws-outcome-missed = manqué
ws-outcome-cancelled = annulé
ws-error-time = Indiquez une heure, par exemple 09:30.
ws-error-attachment-whole = Décrivez le fichier joint en entier : son nom, son type de média et son SHA-256.
ws-appointment-changed = Rendez-vous du { $date } : { $reason }
ws-appointment-move = Déplacer
ws-appointment-close = Clore (honoré, manqué, annulé)
ws-entry-correct = Corriger
ws-entry-corrects = Corrige une inscription antérieure
ws-entry-corrected-by = Voir sa correction
ws-entry-loinc = LOINC { $code }
ws-entry-reference-range = Valeurs de référence { $range }
ws-entry-attachment = Fichier { $name } ({ $type }), SHA-256 { $sha256 }

## Lire le code QR d'un carnet sur la recherche de patient, là où le navigateur le peut.

ws-scan-start = Lire le code QR d'un carnet
ws-scan-stop = Arrêter la caméra
ws-scan-aim = Présentez le code QR du carnet devant la caméra.
ws-scan-found = Identifiant de santé lu sur le carnet. Vérifiez-le, puis cherchez.
ws-scan-failed = La caméra ne peut pas être utilisée ici : tapez l'identifiant de santé.
ws-scan-camera = Caméra

# Les rappels du patient, à l'accueil
ws-reminders-title = Rappels du patient
ws-reminders-intro = Les choix du patient pour ses rappels (vaccins, rendez-vous, résultats), saisis sur sa parole. Le patient peut aussi les changer depuis son espace.

# Les tuteurs d'un mineur, à l'accueil
ws-guardians-title = Tuteurs
ws-guardians-intro = Un tuteur gère le dossier de ce mineur depuis son propre compte patient : il le consulte, donne accès à une formation sanitaire, choisit les rappels, annule un rendez-vous. La tutelle prend fin d'elle-même la veille des 21 ans du mineur.
ws-guardians-none = Aucun tuteur n'est enregistré.
ws-guardian-mother = Mère
ws-guardian-father = Père
ws-guardian-legal-guardian = Tuteur légal
ws-guardian-until = jusqu'au { $day }
ws-guardian-end-reason = Motif de la fin
ws-guardian-end-reason-short = Donnez un motif d'au moins 10 caractères.
ws-guardian-end = Mettre fin à cette tutelle
ws-guardian-add = Enregistrer un tuteur
ws-guardian-proof = Seulement sur preuve : l'acte de naissance qui nomme le parent, ou la décision qui désigne le tuteur. Le tuteur doit être enregistré comme patient.
ws-guardian-health-id = Identifiant santé du tuteur
ws-guardian-relationship = Lien avec le mineur
ws-guardian-record = Enregistrer le tuteur

# Enregistrer un patient à l'accueil
ws-home-register = Enregistrer un patient
ws-sex-unknown = inconnu
ws-register-title = Enregistrer un patient
ws-register-intro = Vérifiez d'abord que le patient n'est pas déjà enregistré (cherchez-le par identifiant santé, carte nationale d'identité ou nom et date de naissance). L'identifiant santé du patient est attribué maintenant, avec un compte qu'il active avec un code.
ws-register-identity = Le patient
ws-register-family-name = Nom de famille
ws-register-given-names = Prénoms
ws-register-sex = Sexe
ws-register-birth-date = Date de naissance
ws-register-birth-estimated = La date de naissance est estimée (pas d'acte de naissance)
ws-register-national-id = Numéro de carte nationale d'identité
ws-register-optional = Facultatif.
ws-register-where = Lieu de résidence
ws-register-region = Région
ws-register-district = District de santé
ws-register-contact = Comment joindre le patient
ws-register-contact-intro = Le code d'activation du compte est envoyé par SMS, ou par courriel s'il n'y a pas de téléphone ; sans l'un ni l'autre, il est imprimé sur la fiche.
ws-register-phone = Numéro de téléphone
ws-register-email = Adresse électronique
ws-register-kin = Personne à prévenir (facultatif)
ws-register-kin-name = Nom
ws-register-kin-relationship = Lien avec le patient
ws-register-kin-phone = Numéro de téléphone
ws-register-submit = Enregistrer le patient
ws-register-name-needed = Saisissez un nom avec au moins une lettre, 80 caractères au plus.
ws-register-birth-date-needed = Saisissez une date réelle, ni future ni antérieure de plus de 130 ans.
ws-register-region-needed = Choisissez la région.
ws-register-district-needed = Saisissez le district de santé, de 2 à 80 caractères.
ws-register-national-id-needed = Saisissez le numéro tel qu'il est imprimé sur la carte.
ws-register-national-id-taken = Ce numéro de carte nationale d'identité est déjà enregistré : cherchez ce patient au lieu de l'enregistrer à nouveau.
ws-register-phone-needed = Saisissez un numéro de téléphone camerounais, par exemple 699 12 34 56.
ws-register-email-needed = Saisissez une adresse électronique, par exemple nom@exemple.cm.
ws-register-kin-needed = Une personne à prévenir a un nom et un lien avec le patient.
ws-register-done-title = Patient enregistré
ws-register-done = { $name } est enregistré.
ws-register-code-sms = Le code d'activation du compte a été envoyé au patient par SMS.
ws-register-code-email = Le code d'activation du compte a été envoyé au patient par courriel.
ws-register-code-printed = Le patient n'a ni téléphone ni courriel : remettez-lui ce code d'activation sur la fiche imprimée.
ws-register-code = Code d'activation :
ws-register-duplicates = Peut-être déjà enregistré
ws-register-duplicates-intro = Ces dossiers ont les mêmes noms, date de naissance et district. Examinez-les : si l'un d'eux est ce patient, fusionnez les dossiers.
ws-register-duplicate = Un dossier qui ressemble à celui-ci
ws-register-open-record = Ouvrir le dossier
ws-register-another = Enregistrer un autre patient
