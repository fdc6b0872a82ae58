-- 0024: routing keeps no copy of a reporter. A new case's CaseCreated brings
-- its reporter's phone masked (contact_hint, 138****1234, as every queue shows
-- it) beside the reference (contact_ref); a unit that opens one of its
-- dispatches gets the number from intake (GetContacts), which logs the read
-- (docs/privacy.md). reporter_name and reporter_phone stay for the copies made
-- before this migration (and events stored before contact_ref), until
-- retention empties them (0017).

ALTER TABLE routed_cases ADD COLUMN contact_hint text NOT NULL DEFAULT '';

SELECT gov_grant_sequences();
