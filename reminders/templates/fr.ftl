# Les rappels envoyés aux patients, en français. Chaque message reçoit exactement les variables que
# son occasion déclare (`reminders::templates::VARIABLES`); un message qui en nomme une autre, ou qui
# manque, arrête le démarrage. `$addressee` vaut `guardian` quand le message va au parent d'un enfant.
# Les SMS sont courts : un accent fait passer le message en UCS-2 (70 caractères par segment).

vaccination_due = { $addressee ->
    [guardian] { $count ->
        [one] CloudMedi : le vaccin de { $name } ({ $vaccines }) est prévu le { $date }. Apportez son carnet au centre de santé.
       *[other] CloudMedi : les vaccins de { $name } ({ $vaccines }) sont prévus le { $date }. Apportez son carnet au centre de santé.
    }
   *[patient] { $count ->
        [one] CloudMedi : votre vaccin ({ $vaccines }) est prévu le { $date }. Présentez-vous au centre de santé.
       *[other] CloudMedi : vos vaccins ({ $vaccines }) sont prévus le { $date }. Présentez-vous au centre de santé.
    }
}
vaccination_due-subject = Vaccination prévue le { $date }

vaccination_overdue = { $addressee ->
    [guardian] CloudMedi : { $name } n'a pas encore reçu { $vaccines }, prévu le { $date }. Passez au centre de santé dès que possible.
   *[patient] CloudMedi : vous n'avez pas encore reçu { $vaccines }, prévu le { $date }. Passez au centre de santé dès que possible.
}
vaccination_overdue-subject = Vaccination en retard

appointment_ahead = { $addressee ->
    [guardian] CloudMedi : rappel du rendez-vous de { $name } le { $date } à { $time }, { $facility }.
   *[patient] CloudMedi : rappel de votre rendez-vous le { $date } à { $time }, { $facility }.
}
appointment_ahead-subject = Rendez-vous le { $date }

appointment_today = { $addressee ->
    [guardian] CloudMedi : { $name } a rendez-vous aujourd'hui à { $time }, { $facility }.
   *[patient] CloudMedi : vous avez rendez-vous aujourd'hui à { $time }, { $facility }.
}
appointment_today-subject = Rendez-vous aujourd'hui à { $time }

appointment_missed = { $addressee ->
    [guardian] CloudMedi : { $name } a manqué son rendez-vous à { $facility }. Appelez ou passez pour en fixer un autre.
   *[patient] CloudMedi : vous avez manqué votre rendez-vous à { $facility }. Appelez ou passez pour en fixer un autre.
}
appointment_missed-subject = Rendez-vous manqué

lab_result_ready = { $addressee ->
    [guardian] CloudMedi : de nouveaux résultats d'analyses de { $name } sont disponibles dans son dossier.
   *[patient] CloudMedi : de nouveaux résultats d'analyses sont disponibles dans votre dossier.
}
lab_result_ready-subject = Vos résultats sont disponibles
