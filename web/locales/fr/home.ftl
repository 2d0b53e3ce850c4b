# La page d'accueil après la connexion : celle d'un membre du personnel, ou le résumé du dossier d'un patient.

home-staff-title = Votre espace de travail
home-staff-greeting = Bonjour, { $name }.
home-staff-role = Vous êtes connecté(e) en tant que { $role }.
home-staff-empty = Aucune page de votre espace de travail n'est encore disponible ici.
role-doctor = médecin
role-nurse = infirmier ou infirmière
role-lab-technician = technicien(ne) de laboratoire
role-registration-clerk = agent d'accueil
role-facility-administrator = administrateur ou administratrice de formation sanitaire
role-health-authority-analyst = analyste de l'autorité sanitaire
role-auditor = auditeur ou auditrice
role-system-administrator = administrateur ou administratrice du système

summary-title = Résumé de mon dossier
summary-health-id = Identifiant santé
summary-birth-date = Date de naissance
summary-card-link = Mon carnet de vaccination (à imprimer)
summary-wards = Enfants dont j’ai la charge
summary-view-ward = Voir son dossier
summary-merged = Ce dossier a été fusionné dans un autre : les dernières inscriptions se trouvent dans celui-ci.

allergies-title = Allergies et intolérances
allergies-none = Aucune allergie enregistrée.
allergy-reaction = Réaction : { $reaction }
allergy-severity-mild = légère
allergy-severity-moderate = modérée
allergy-severity-severe = sévère
allergy-severity-life-threatening = mettant la vie en danger
allergy-status-unconfirmed = suspectée
allergy-status-confirmed = confirmée
allergy-status-resolved = disparue
allergy-status-refuted = écartée
allergy-category-medication = médicament
allergy-category-food = aliment
allergy-category-environment = environnement
allergy-category-other = autre

treatments-title = Traitements en cours
treatments-none = Aucun traitement en cours.
treatment-long-term = Traitement au long cours, depuis le { $date }
treatment-long-term-undated = Traitement au long cours
prescription-until = Prescrit le { $date }, jusqu'au { $until }
prescription-as-needed = si besoin
dose-frequency = { $times ->
    [one] une fois par jour
   *[other] { $times } fois par jour
}
dose-unit-mg = mg
dose-unit-g = g
dose-unit-mcg = µg
dose-unit-ml = ml
dose-unit-iu = UI
dose-unit-tablet = { $amount ->
    [one] comprimé
   *[other] comprimés
}
dose-unit-capsule = { $amount ->
    [one] gélule
   *[other] gélules
}
dose-unit-drop = { $amount ->
    [one] goutte
   *[other] gouttes
}
dose-unit-puff = { $amount ->
    [one] bouffée
   *[other] bouffées
}
dose-unit-sachet = { $amount ->
    [one] sachet
   *[other] sachets
}

diagnoses-title = Diagnostics
diagnoses-none = Aucun diagnostic enregistré.
condition-since = Depuis le { $date }
condition-status-active = actif
condition-status-recurrence = récidive
condition-status-remission = en rémission
condition-status-resolved = guéri

encounters-title = Consultations récentes
encounters-none = Aucune consultation enregistrée.
encounter-at = À { $facility }
recorded-on = Enregistré le { $date }
