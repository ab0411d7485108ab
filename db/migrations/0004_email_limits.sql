-- Daily limits on the emails a teacher's click sends (share-link emails): at most 5 to one address from one
-- teacher, and 200 from one teacher, in any 24 hours (worker/email/limits.ts holds the same figures, to
-- say when the next one is allowed). Judged here, in the batch that queues the email, so parallel clicks
-- can't slip past a count read before it.
CREATE INDEX `email_outbox_teacher_template_created_idx` ON `email_outbox` (`teacher_id`, `template`, `created_at`);
--> statement-breakpoint
CREATE TRIGGER email_outbox_share_link_limits BEFORE INSERT ON email_outbox
WHEN NEW.template = 'share-link'
BEGIN
  SELECT RAISE(ABORT, 'EMAIL_LIMIT_RECIPIENT') WHERE (
    SELECT count(*) FROM email_outbox
    WHERE teacher_id = NEW.teacher_id AND template = 'share-link' AND recipient = NEW.recipient
      AND created_at > NEW.created_at - 86400000
  ) >= 5;
  SELECT RAISE(ABORT, 'EMAIL_LIMIT_TEACHER') WHERE (
    SELECT count(*) FROM email_outbox
    WHERE teacher_id = NEW.teacher_id AND template = 'share-link' AND created_at > NEW.created_at - 86400000
  ) >= 200;
END;
