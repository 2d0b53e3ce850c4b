# Ce que partagent toutes les pages : leur cadre, le choix de la langue, les dates et les pages d'erreur.

brand = CloudMedi
page-title = { $title } — CloudMedi
skip-to-content = Aller au contenu
language-label = Langue
language-fr = Français
language-en = English
sign-out = Se déconnecter
footer = CloudMedi — le dossier médical national du Cameroun
back-home = Retour à la page d'accueil

## Dates et heures, à l'heure du Cameroun (Africa/Douala, UTC+01:00).

# Le premier jour du mois s'écrit « 1er ».
date-long = { $day ->
    [1] 1er
   *[other] { $day }
} { $month } { $year }
date-time-long = { $date } à { $time } (UTC+01:00)
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Erreurs de saisie, affichées à côté du champ en cause.

field-required = Ce champ est obligatoire.
field-too-long = { $max } caractères au plus.
form-has-errors = Certains champs sont à corriger.

## Pages d'erreur.

error-forbidden-title = Requête refusée
error-cross-origin = Ce formulaire a été envoyé depuis un autre site. Il a été refusé et rien n'a été enregistré.
error-form-token = Ce formulaire a expiré ou n'a pas été délivré par ce site. Rien n'a été enregistré : revenez en arrière, rechargez la page et réessayez.
error-not-found-title = Page introuvable
error-not-found = Cette page n'existe pas, ou vous n'avez pas le droit de la voir.
error-method-title = Utilisation impossible
error-method = Cette page ne s'utilise pas ainsi.
error-bad-request-title = Requête incomprise
error-bad-request = Le formulaire n'a pas pu être lu. Revenez en arrière, rechargez la page et réessayez.
error-too-large-title = Trop de données
error-too-large = L'envoi est trop volumineux. Rien n'a été enregistré.
error-timeout-title = Trop lent
error-timeout = La réponse a pris trop de temps. Réessayez dans un instant.
error-too-many-title = Trop de tentatives
error-too-many = { $minutes ->
    [one] Trop de tentatives depuis cet appareil. Réessayez dans une minute.
   *[other] Trop de tentatives depuis cet appareil. Réessayez dans { $minutes } minutes.
}
error-unavailable-title = Service momentanément indisponible
error-unavailable = Le service ne peut pas répondre pour le moment. Rien n'a été affiché ni enregistré ; réessayez dans un instant.
error-internal-title = Une erreur est survenue
error-internal = Une erreur est survenue de notre côté. Si elle se reproduit, donnez cette référence à votre formation sanitaire : { $reference }.
