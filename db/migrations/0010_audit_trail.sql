ALTER TABLE `audit_log` ADD `teacher_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `student_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `changes` text;--> statement-breakpoint
CREATE INDEX `audit_log_teacher_at_idx` ON `audit_log` (`teacher_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_teacher_student_at_idx` ON `audit_log` (`teacher_id`,`student_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
-- Hand-written: entries written before this migration get the teacher whose trail they belong to, where the
-- row itself says (a teacher's own actions, and what happened to a teacher's bookings, links and keys).
UPDATE `audit_log` SET `teacher_id` = `actor_id` WHERE `teacher_id` IS NULL AND `actor_type` = 'teacher';--> statement-breakpoint
UPDATE `audit_log` SET `teacher_id` = (SELECT `teacher_id` FROM `bookings` WHERE `bookings`.`id` = `audit_log`.`target_id`), `student_id` = (SELECT `student_id` FROM `bookings` WHERE `bookings`.`id` = `audit_log`.`target_id`) WHERE `target_type` = 'booking';--> statement-breakpoint
UPDATE `audit_log` SET `teacher_id` = (SELECT `teacher_id` FROM `share_links` WHERE `share_links`.`id` = `audit_log`.`target_id`), `student_id` = (SELECT `student_id` FROM `share_links` WHERE `share_links`.`id` = `audit_log`.`target_id`) WHERE `target_type` = 'share_link';--> statement-breakpoint
UPDATE `audit_log` SET `teacher_id` = (SELECT `teacher_id` FROM `api_keys` WHERE `api_keys`.`id` = `audit_log`.`target_id`) WHERE `target_type` = 'api_key';--> statement-breakpoint
UPDATE `audit_log` SET `student_id` = `target_id` WHERE `target_type` = 'student';--> statement-breakpoint
-- Link views are read from link_events (DESIGN.md, "Audit trail"); the hourly audit rows of views go.
DELETE FROM `audit_log` WHERE `action` = 'share_link.accessed';
