CREATE TABLE `availability_shares` (
	`student_user_id` text NOT NULL,
	`teacher_id` text NOT NULL,
	`source` text NOT NULL,
	`granted_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`student_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`teacher_id`) REFERENCES `teachers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `availability_shares_student_teacher_uq` ON `availability_shares` (`student_user_id`,`teacher_id`);--> statement-breakpoint
CREATE INDEX `availability_shares_teacher_idx` ON `availability_shares` (`teacher_id`);--> statement-breakpoint
CREATE INDEX `students_email_idx` ON `students` (`email`);--> statement-breakpoint
-- Hand-written: what existing data shares under the new rule (worker/students/sharing.ts). A student whose
-- account their own portal booking made shares with that booking's teacher; everyone else starts unshared and
-- decides on their dashboard.
INSERT OR IGNORE INTO `availability_shares` (`student_user_id`, `teacher_id`, `source`, `granted_at`)
SELECT u.`id`, b.`teacher_id`, 'portal_booking', b.`scheduled_at`
FROM `users` u JOIN `bookings` b ON b.`id` = u.`created_from_booking_id`
WHERE b.`source` = 'share_link';
