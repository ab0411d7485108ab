CREATE TABLE `session_assertions` (
	`session_id` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`teacher_updated_at` integer NOT NULL,
	`at` integer NOT NULL,
	`absolute_lifetime_ms` integer NOT NULL,
	`inactivity_timeout_ms` integer NOT NULL
);
--> statement-breakpoint
-- A write batch that starts with an insert here runs only while the teacher's session is valid: the right
-- secret, not expired, the account not disabled, and the teacher's settings unchanged since the request was
-- planned. Otherwise the whole batch rolls back with SESSION_INVALID. The row itself is never stored.
CREATE TRIGGER session_assertions_check BEFORE INSERT ON session_assertions
BEGIN
  SELECT RAISE(ABORT, 'SESSION_INVALID') WHERE NOT EXISTS (
    SELECT 1 FROM auth_sessions s
    JOIN users u ON u.id = s.user_id
    JOIN teachers t ON t.id = u.id
    WHERE s.id = NEW.session_id AND s.secret_hash = NEW.secret_hash
      AND u.role = 'teacher' AND u.disabled_at IS NULL
      AND NEW.at < s.created_at + NEW.absolute_lifetime_ms
      AND NEW.at < s.last_verified_at + NEW.inactivity_timeout_ms
      AND t.updated_at = NEW.teacher_updated_at
  );
  SELECT RAISE(IGNORE);
END;
