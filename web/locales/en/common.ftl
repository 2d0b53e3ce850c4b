# What every page shares: its frame, the language switch, dates, and the error pages.

brand = CloudMedi
page-title = { $title } — CloudMedi
skip-to-content = Skip to the content
language-label = Language
language-fr = Français
language-en = English
sign-out = Sign out
footer = CloudMedi — the national medical record of Cameroon
back-home = Back to the start page

## Dates and times, in Cameroon time (Africa/Douala, UTC+01:00).

date-long = { $day } { $month } { $year }
date-time-long = { $date } at { $time } (UTC+01:00)
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Field errors, shown beside the field at fault.

field-required = This field is required.
field-too-long = At most { $max } characters.
form-has-errors = Some fields need your attention.

## Error pages.

error-forbidden-title = Request refused
error-cross-origin = This form was sent from another site. It was refused and nothing was recorded.
error-form-token = This form has expired or was not issued by this site. Nothing was recorded: go back, reload the page and try again.
error-not-found-title = Page not found
error-not-found = There is no such page, or it is not one you may see.
error-method-title = Not available this way
error-method = This page cannot be used this way.
error-bad-request-title = Request not understood
error-bad-request = The form could not be read. Go back, reload the page and try again.
error-too-large-title = Too much data
error-too-large = What was sent is too large. Nothing was recorded.
error-timeout-title = Too slow
error-timeout = The answer took too long. Try again in a moment.
error-too-many-title = Too many attempts
error-too-many = { $minutes ->
    [one] Too many attempts from here. Try again in one minute.
   *[other] Too many attempts from here. Try again in { $minutes } minutes.
}
error-unavailable-title = Not available right now
error-unavailable = The service cannot answer right now. Nothing was shown or recorded; try again in a moment.
error-internal-title = Something went wrong
error-internal = Something went wrong on our side. If it happens again, give this reference to your facility: { $reference }.
