-- 0011: one-time login codes (the gateway) and their text (notify).
--
-- A person asks the gateway for a code; the gateway makes six random digits,
-- keeps only their argon2id hash here, and asks notify to text them to the
-- person's phone on file. One live code per person: a new one replaces the
-- old. A code works once (its row is deleted by the login it opens), is dead
-- after `failures` reaches 5 wrong tries, and is refused after expires_ms.
-- Times are ms since the epoch, by the gateway's clock.
CREATE TABLE gateway_login_codes (
    person_id  bigint PRIMARY KEY REFERENCES people (id),
    hash       text NOT NULL CHECK (hash LIKE '$argon2id$%'),
    created_ms bigint NOT NULL,
    expires_ms bigint NOT NULL,
    failures   int NOT NULL DEFAULT 0 CHECK (failures >= 0)
);

-- A login by phone number finds the person by it (a number that belongs to
-- more than one person logs in nobody: the code would go to all of them).
CREATE INDEX people_phone ON people (phone) WHERE phone IS NOT NULL;

-- The text of the SMS. The wording is this project's, in the form Chinese
-- services commonly use for a verification code; no standard prescribes it.
-- {{code}} is the code (notify stores the text with ****** in its place),
-- {{minutes}} how long it is valid. No subject: an SMS is one text.
INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('LoginCode', 'zh-CN', '', '您的登录验证码是 {{code}}，{{minutes}}分钟内有效。'),
('LoginCode', 'en', '', 'Your login code is {{code}}; it is valid for {{minutes}} minutes.');
