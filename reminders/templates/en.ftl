# The reminders sent to patients, in English. Each message is given exactly the variables its
# occasion declares (`reminders::templates::VARIABLES`); a message that names another, or is missing,
# stops start-up. `$addressee` is `guardian` when the message goes to a child's parent.
# Text messages are short: plain ASCII keeps a message in GSM-7 (160 characters per segment).

vaccination_due = { $addressee ->
    [guardian] { $count ->
        [one] CloudMedi: {$name}'s vaccine ({$vaccines}) is due on {$date}. Bring the vaccination booklet to the health centre.
       *[other] CloudMedi: {$name}'s vaccines ({$vaccines}) are due on {$date}. Bring the vaccination booklet to the health centre.
    }
   *[patient] { $count ->
        [one] CloudMedi: your vaccine ({$vaccines}) is due on {$date}. Please come to the health centre.
       *[other] CloudMedi: your vaccines ({$vaccines}) are due on {$date}. Please come to the health centre.
    }
}
vaccination_due-subject = Vaccination due on { $date }

vaccination_overdue = { $addressee ->
    [guardian] CloudMedi: {$name} has not yet had {$vaccines}, due on {$date}. Please come to the health centre soon.
   *[patient] CloudMedi: you have not yet had {$vaccines}, due on {$date}. Please come to the health centre soon.
}
vaccination_overdue-subject = Vaccination overdue

appointment_ahead = { $addressee ->
    [guardian] CloudMedi: reminder of {$name}'s appointment on {$date} at {$time}, {$facility}.
   *[patient] CloudMedi: reminder of your appointment on {$date} at {$time}, {$facility}.
}
appointment_ahead-subject = Appointment on { $date }

appointment_today = { $addressee ->
    [guardian] CloudMedi: {$name} has an appointment today at {$time}, {$facility}.
   *[patient] CloudMedi: you have an appointment today at {$time}, {$facility}.
}
appointment_today-subject = Appointment today at { $time }

appointment_missed = { $addressee ->
    [guardian] CloudMedi: {$name} missed an appointment at {$facility}. Call or visit to book another.
   *[patient] CloudMedi: you missed your appointment at {$facility}. Call or visit to book another.
}
appointment_missed-subject = Missed appointment

lab_result_ready = { $addressee ->
    [guardian] CloudMedi: new laboratory results for {$name} are ready in the record.
   *[patient] CloudMedi: new laboratory results are ready in your record.
}
lab_result_ready-subject = Your results are ready
